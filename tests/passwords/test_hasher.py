"""PasswordHasher: profiles and their floor, rehash on outdated parameters, Unicode handling, input
bounds, plaintext columns, dummy verification and typed errors."""

from __future__ import annotations

import dataclasses
import logging
import unicodedata

import argon2
import pytest
from argon2.low_level import Type, hash_secret
from passlib import hash as plh  # type: ignore[import-untyped]

from sentinel.errors import ConfigurationError
from sentinel.passwords import (
    DEFAULT_PROFILE,
    INSECURE_TEST_ONLY,
    MAX_PASSWORD_BYTES,
    OWASP,
    PROFILES,
    Argon2Profile,
    HashingFailed,
    InvalidPassword,
    PasswordHasher,
    PasswordTooLong,
    Pepper,
    UnknownHashFormat,
    identify,
)
from sentinel.sessions.config import SentinelUnsafeWarning
from tests.passwords.conftest import PASSWORDS, PEPPER_A, WRONG, HasherFactory
from tests.passwords.vectors import ONE_PER_SCHEME

CHEAP_T2 = dataclasses.replace(INSECURE_TEST_ONLY, name="cheap-t2", time_cost=2)


def test_each_hash_has_a_fresh_salt(hasher: PasswordHasher) -> None:
    first, second = hasher.hash(PASSWORDS[0]), hasher.hash(PASSWORDS[0])

    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert hasher.verify(first, PASSWORDS[0]) and hasher.verify(second, PASSWORDS[0])
    assert not hasher.verify(first, WRONG)


def test_profiles_match_their_references() -> None:
    assert DEFAULT_PROFILE.parameters() == argon2.profiles.RFC_9106_LOW_MEMORY
    assert (OWASP.time_cost, OWASP.memory_cost, OWASP.parallelism) == (2, 19 * 1024, 1)
    assert PROFILES["default"] is DEFAULT_PROFILE and "insecure-test-only" in PROFILES
    assert DEFAULT_PROFILE.weak_reasons() == [] and OWASP.weak_reasons() == []


def test_default_hasher_uses_argon2id_rfc9106_low_memory() -> None:
    hasher = PasswordHasher(pepper=None)
    assert argon2.extract_parameters(hasher.hash("x")) == argon2.profiles.RFC_9106_LOW_MEMORY


@pytest.mark.parametrize(
    "profile",
    [
        INSECURE_TEST_ONLY,
        Argon2Profile(name="t1-19MiB", time_cost=1, memory_cost=19456, parallelism=1),
        Argon2Profile(name="t2-18MiB", time_cost=2, memory_cost=18432, parallelism=1),
        Argon2Profile(name="short-salt", time_cost=3, memory_cost=65536, parallelism=4, salt_len=8),
        Argon2Profile(name="short-tag", time_cost=3, memory_cost=65536, parallelism=4, hash_len=8),
    ],
    ids=lambda p: p.name,
)
def test_below_owasp_floor_is_refused_unless_allow_weak_which_warns(profile: Argon2Profile) -> None:
    with pytest.raises(ConfigurationError, match="allow_weak"):
        PasswordHasher(profile=profile, pepper=None)
    with pytest.warns(SentinelUnsafeWarning, match="weak password hashing"):
        PasswordHasher(profile=profile, pepper=None, allow_weak=True)


@pytest.mark.parametrize(("memory", "passes"), [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5)])
def test_every_owasp_equivalent_row_is_accepted(memory: int, passes: int) -> None:
    profile = Argon2Profile(name="row", time_cost=passes, memory_cost=memory, parallelism=1)
    assert profile.weak_reasons() == []


def test_impossible_profile_is_refused_even_with_allow_weak() -> None:
    broken = Argon2Profile(name="broken", time_cost=0, memory_cost=8, parallelism=4)
    with pytest.raises(ConfigurationError) as caught:
        PasswordHasher(profile=broken, pepper=None, allow_weak=True)
    assert len(caught.value.problems) >= 2  # every problem reported at once


def test_outdated_parameters_are_rehashed_on_login(make_hasher: HasherFactory) -> None:
    old, new = make_hasher(), make_hasher(profile=CHEAP_T2)
    stored = old.hash(PASSWORDS[0])

    assert old.needs_update(stored) is False
    assert new.needs_update(stored) is True
    ok, rehashed = new.verify_and_update(stored, PASSWORDS[0])
    assert ok is True and rehashed is not None
    assert argon2.extract_parameters(rehashed).time_cost == 2
    assert new.verify_and_update(rehashed, PASSWORDS[0]) == (True, None)
    assert new.verify_and_update(stored, WRONG) == (False, None)


@pytest.mark.parametrize("kind", [Type.I, Type.D])
def test_other_argon2_variants_verify_and_upgrade_to_argon2id(hasher: PasswordHasher, kind: Type) -> None:
    stored = hash_secret(
        b"secret", b"saltsaltsalt", time_cost=1, memory_cost=8, parallelism=1, hash_len=16, type=kind
    )

    assert hasher.verify(stored.decode(), "secret") is True
    ok, new_hash = hasher.verify_and_update(stored.decode(), "secret")
    assert ok and new_hash is not None and new_hash.startswith("$argon2id$")


def test_argon2_from_libpass_verifies(hasher: PasswordHasher) -> None:
    stored = plh.argon2.using(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORDS[1])
    assert hasher.verify(stored, PASSWORDS[1]) is True
    assert hasher.verify(stored, WRONG) is False


def test_unicode_forms_of_the_same_password_match(hasher: PasswordHasher) -> None:
    """NFKC before hashing: "é" typed as one code point or as e + combining accent is one password."""
    composed = "caf\u00e9-latte-123"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed

    stored = hasher.hash(decomposed)

    assert hasher.verify(stored, composed) is True
    assert hasher.verify(stored, decomposed) is True


def test_foreign_argon2_of_a_non_normalised_password_still_verifies_once(hasher: PasswordHasher) -> None:
    """argon2 hashes made elsewhere used raw bytes; "µ" (micro sign) is not NFKC-stable."""
    raw = "pa\u00b5\u00b5word"  # NFKC turns U+00B5 into U+03BC
    stored = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(raw)

    ok, new_hash = hasher.verify_and_update(stored, raw)

    assert ok is True and new_hash is not None  # re-hashed in normalised form
    assert hasher.verify(new_hash, raw) is True
    assert hasher.verify(stored, "pa\u03bc\u03bcword") is False  # the raw hash is not widened


def test_password_length_is_capped_not_truncated(hasher: PasswordHasher) -> None:
    longest = "a" * MAX_PASSWORD_BYTES
    stored = hasher.hash(longest)
    assert hasher.verify(stored, longest) is True

    for too_long in ("a" * (MAX_PASSWORD_BYTES + 1), "é" * (MAX_PASSWORD_BYTES // 2 + 1)):
        with pytest.raises(PasswordTooLong) as caught:
            hasher.hash(too_long)
        assert caught.value.limit == MAX_PASSWORD_BYTES
        with pytest.raises(PasswordTooLong):
            hasher.verify(stored, too_long)
    # a 1 MB "password" against a legacy scheme whose cost grows with length is refused up front
    with pytest.raises(PasswordTooLong):
        hasher.verify(ONE_PER_SCHEME["sha512-crypt"].make("x"), "x" * 1_000_000)


def test_nfkc_expansion_counts_against_the_cap(hasher: PasswordHasher) -> None:
    expanding = "\ufdfa" * 300  # one code point, 3 bytes, becomes 18 code points under NFKC
    with pytest.raises(PasswordTooLong):
        hasher.hash(expanding)


def test_lone_surrogates_are_invalid_not_a_crash(hasher: PasswordHasher) -> None:
    with pytest.raises(InvalidPassword, match="surrogates"):
        hasher.hash("abc\udc80def")
    with pytest.raises(InvalidPassword):
        hasher.verify(hasher.hash("abcdef"), "abc\ud800")
    with pytest.raises(TypeError):
        hasher.hash(b"bytes-password")  # type: ignore[arg-type]


def test_unknown_stored_format_raises_instead_of_returning_false(hasher: PasswordHasher) -> None:
    """A silent False would hide a migration mistake behind 'wrong password' for every user."""
    for stored in ("not-a-hash", "{CRYPT}$6$abc$def", "$sentinel-pepper$v=1$kid=00000000$nonsense"):
        with pytest.raises(UnknownHashFormat):
            hasher.verify(stored, PASSWORDS[0])
        with pytest.raises(UnknownHashFormat):
            hasher.needs_update(stored)


def test_argon2_refusing_to_run_is_hashing_failed(hasher: PasswordHasher) -> None:
    """m=8 KiB with 2 lanes is below argon2's minimum: an operational error, not a wrong password."""
    stored = hasher.hash("x").replace("m=8,t=1,p=1", "m=8,t=1,p=2")
    with pytest.raises(HashingFailed):
        hasher.verify(stored, "x")


def test_declared_plaintext_column(make_hasher: HasherFactory, caplog: pytest.LogCaptureFixture) -> None:
    hasher = make_hasher(plaintext_column=True)

    with caplog.at_level(logging.WARNING, logger="sentinel.security"):
        assert hasher.verify(PASSWORDS[1], PASSWORDS[1]) is True
        assert hasher.verify(PASSWORDS[1], WRONG) is False
    assert identify(PASSWORDS[1], plaintext=True).kind == "plaintext"
    ok, new_hash = hasher.verify_and_update(PASSWORDS[1], PASSWORDS[1])
    assert ok and new_hash is not None and PASSWORDS[1] not in new_hash
    events = [
        r for r in caplog.records if getattr(r, "sentinel", {}).get("event") == "password.plaintext_stored"
    ]
    outcomes = [e.sentinel["outcome"] for e in events]  # type: ignore[attr-defined]
    assert outcomes == ["verified", "rejected", "verified"]
    assert all(PASSWORDS[1] not in r.getMessage() and PASSWORDS[1] not in str(r.sentinel) for r in events)  # type: ignore[attr-defined]


def test_plaintext_is_never_inferred(hasher: PasswordHasher) -> None:
    with pytest.raises(UnknownHashFormat):
        hasher.verify("hunter2-plain", "hunter2-plain")


def test_a_hash_in_a_plaintext_column_is_not_its_own_password(make_hasher: HasherFactory) -> None:
    """Attack: whoever read the bcrypt hash submits it as the password. Reading well-formed hashes as
    plaintext would let them in; Sentinel reads it as bcrypt and refuses."""
    hasher = make_hasher(plaintext_column=True)
    stored = ONE_PER_SCHEME["bcrypt"].make(PASSWORDS[0])

    assert hasher.verify(stored, stored) is False
    assert hasher.verify(stored, PASSWORDS[0]) is True


def test_dummy_verify_uses_current_parameters_and_pepper(make_hasher: HasherFactory) -> None:
    hasher = make_hasher(profile=CHEAP_T2, pepper=Pepper([PEPPER_A]))

    assert hasher.dummy_verify() is False
    assert hasher.dummy_verify("any password") is False
    dummy = hasher._dummy_hash()
    assert identify(dummy).pepper_kid == hasher.pepper.current_kid  # type: ignore[union-attr]
    assert hasher.needs_update(dummy) is False  # i.e. exactly what a current user's hash costs


def test_dummy_verify_bounds_input_like_verify(hasher: PasswordHasher) -> None:
    with pytest.raises(PasswordTooLong):
        hasher.dummy_verify("a" * (MAX_PASSWORD_BYTES + 1))


def test_repr_shows_no_secrets(make_hasher: HasherFactory) -> None:
    hasher = make_hasher(pepper=Pepper([PEPPER_A]))
    assert PEPPER_A not in repr(hasher) and PEPPER_A not in repr(hasher.pepper)
    assert "insecure-test-only" in repr(hasher)
