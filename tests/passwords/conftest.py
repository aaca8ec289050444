"""Hashers on the cheap test profile, and the passwords every vector is made from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sentinel.passwords import INSECURE_TEST_ONLY, PasswordHasher
from sentinel.sessions.config import SentinelUnsafeWarning

#: Passwords every scheme is checked with: ASCII, non-ASCII (raw UTF-8 bytes matter), empty-ish edge.
PASSWORDS = ["correct horse battery staple", "pässwörd-ünïcode-€", "x"]
WRONG = "correct horse battery stapler"

#: Two fixed, non-secret 48-character pepper keys for tests.
PEPPER_A = "a" * 24 + "pepper-key-one-for-tests"
PEPPER_B = "b" * 24 + "pepper-key-two-for-tests"

HasherFactory = Callable[..., PasswordHasher]


@pytest.fixture
def make_hasher() -> HasherFactory:
    """Build a hasher on the insecure test profile (its loud warning is expected and checked)."""

    def make(**kwargs: Any) -> PasswordHasher:
        kwargs.setdefault("profile", INSECURE_TEST_ONLY)
        kwargs.setdefault("pepper", None)
        if kwargs["profile"].weak_reasons():
            kwargs.setdefault("allow_weak", True)
            with pytest.warns(SentinelUnsafeWarning):
                return PasswordHasher(**kwargs)
        return PasswordHasher(**kwargs)

    return make


@pytest.fixture
def hasher(make_hasher: HasherFactory) -> PasswordHasher:
    return make_hasher()


def as_v1(compact: str) -> str:
    """The same wrap in the version-1 spelling Sentinel wrote before compact wraps (rows made then
    must keep verifying): identical scheme, parameters, pepper key and argon2 hash."""
    from sentinel.passwords.formats import format_wrapped, parse_compact

    wrapped = parse_compact(compact)
    return format_wrapped(wrapped.scheme_name, wrapped.params, wrapped.kid, wrapped.inner)
