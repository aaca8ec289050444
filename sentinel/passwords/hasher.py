"""``PasswordHasher``: argon2id for every new hash, every legacy format verified, upgrades on login.

Typical login (the async twins run the work in a bounded thread pool, never on the event loop)::

    hasher = PasswordHasher()                      # RFC 9106 low-memory profile, pepper from env
    ok, new_hash = await hasher.averify_and_update(user.password_hash, password)
    if ok and new_hash:
        await save(user, new_hash)                 # legacy, wrapped, outdated: now plain argon2id
    ...
    await hasher.adummy_verify(password)           # unknown user: spend the same time anyway

A wrong password is ``False``; a stored value that cannot be judged (unknown or ambiguous format,
missing pepper key) raises, see :mod:`sentinel.passwords.errors` for why.
"""

from __future__ import annotations

import enum
import functools
import hmac
import logging
import secrets
import threading
import warnings
from typing import Literal

import argon2
from argon2.exceptions import HashingError, InvalidHashError, VerificationError, VerifyMismatchError

from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.events import security_event
from sentinel.passwords.encoding import PasswordBytes, password_bytes
from sentinel.passwords.errors import (
    HashingFailed,
    NotWrappable,
    PasswordError,
    UnknownHashFormat,
    UnknownPepperKey,
    WrappedHashTooLong,
)
from sentinel.passwords.formats import (
    MAX_STORED_LENGTH,
    Wrapped,
    argon2_parameters,
    format_peppered,
    format_wrap,
)
from sentinel.passwords.identify import Classified, Direct, SchemeInfo, Unusable, classify, describe
from sentinel.passwords.legacy import PLAINTEXT, WRAPPABLE, HexRecipe, LegacyParams, LegacyScheme, ParsedHash
from sentinel.passwords.offload import Offloader
from sentinel.passwords.pepper import Pepper
from sentinel.passwords.profiles import DEFAULT_PROFILE, Argon2Profile

logger = logging.getLogger("sentinel.passwords")
Salt = str | bytes | None


class _Outcome(enum.Enum):
    NO_MATCH = 0
    MATCH = 1
    #: Matched, but only the raw (not NFKC-normalised) password did: rehash in normalised form.
    MATCH_REHASH = 2


class PasswordHasher:
    """Hash with argon2id, verify argon2 and legacy hashes, upgrade on successful login.

    ``pepper="env"`` reads ``SENTINEL_PASSWORD_PEPPER[_FILE]`` (none set: no pepper); pass a
    :class:`Pepper` or ``None`` to decide explicitly. ``hex_recipe`` and ``plaintext_column`` declare what
    a legacy column holds; nothing is inferred. ``flask_bcrypt_long_passwords`` declares that the
    ``$2b$`` hashes were made by Flask-Bcrypt with ``BCRYPT_HANDLE_LONG_PASSWORDS=True`` (bcrypt over
    the hex SHA-256 of the password), which nothing in the hash reveals. ``max_concurrency``
    (default: cores) bounds the hashes running at once for the async methods, so memory stays under
    ``max_concurrency x memory_cost``.
    """

    def __init__(
        self,
        *,
        profile: Argon2Profile = DEFAULT_PROFILE,
        allow_weak: bool = False,
        pepper: Pepper | Literal["env"] | None = "env",
        hex_recipe: HexRecipe | None = None,
        plaintext_column: bool = False,
        flask_bcrypt_long_passwords: bool = False,
        max_concurrency: int | None = None,
        max_pending: int = 256,
        max_stored_length: int = MAX_STORED_LENGTH,
    ) -> None:
        problems = profile.invalid_reasons()
        weak = profile.weak_reasons()
        if weak and not allow_weak:
            problems += [*weak, "pass allow_weak=True only in tests or after a calibration you can defend"]
        if max_stored_length < 128:
            problems.append("max_stored_length must be at least 128 characters")
        if problems:
            raise ConfigurationError(problems)
        for reason in weak:
            logger.warning("UNSAFE password hashing profile: %s", reason)
            warnings.warn(f"weak password hashing: {reason}", SentinelUnsafeWarning, stacklevel=2)
        if plaintext_column:
            logger.warning("a PLAINTEXT password column is declared: run the migration to wrap it")
        self.profile = profile
        self.pepper = Pepper.from_env() if pepper == "env" else pepper
        self.hex_recipe = hex_recipe
        self.plaintext_column = plaintext_column
        self.flask_bcrypt_long_passwords = flask_bcrypt_long_passwords
        self.max_stored_length = max_stored_length
        self._argon2 = argon2.PasswordHasher.from_parameters(profile.parameters())
        self._parameters = profile.parameters()
        self._offloader = Offloader(max_concurrency=max_concurrency, max_pending=max_pending)
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PasswordHasher(profile={self.profile.name!r}, pepper={self.pepper!r})"

    # -- public synchronous API ------------------------------------------------------------------

    def hash(self, password: str) -> str:
        """A new argon2id hash of ``password`` (NFKC-normalised), with a fresh random salt."""
        return self._hash_secret(password_bytes(password).normalized)

    def verify(self, stored: str, password: str, *, salt: Salt = None) -> bool:
        """Whether ``password`` matches ``stored`` (argon2, wrapped or legacy). ``salt`` is the separate
        salt column, needed only by a ``HexRecipe`` whose layout is ``"{digest}"``."""
        return self._check(self._classify(stored, salt), password_bytes(password)) is not _Outcome.NO_MATCH

    def verify_and_update(self, stored: str, password: str, *, salt: Salt = None) -> tuple[bool, str | None]:
        """``(ok, new_hash)``: ``new_hash`` is a fresh direct argon2id hash when ``ok`` and ``stored`` is
        legacy, wrapped, plaintext, made with other parameters, or peppered with another key."""
        classified = self._classify(stored, salt)
        pw = password_bytes(password)
        outcome = self._check(classified, pw)
        if outcome is _Outcome.NO_MATCH:
            return False, None
        if outcome is _Outcome.MATCH_REHASH or self._needs_update(classified):
            return True, self._hash_secret(pw.normalized)
        return True, None

    def needs_update(self, stored: str) -> bool:
        """Whether ``stored`` should be replaced at the next successful login."""
        return self._needs_update(self._classify(stored, b""))

    def identify(self, stored: str) -> SchemeInfo:
        """What ``stored`` is, under this hasher's declarations (see :func:`identify`)."""
        return describe(self._classify(stored, b""))

    def wrap(self, stored: str, *, salt: Salt = None) -> str:
        """Upgrade a legacy hash *without the password*: argon2id over its checksum, self-describing.

        The result is the compact ``$sw2$`` spelling (at most 128 characters for what frameworks
        write, see ``docs/passwords.md``). A declared plaintext value becomes a direct argon2id hash.
        Raises ``NotWrappable`` for argon2, wrapped and unusable values, ``WrappedHashTooLong`` if the
        result exceeds ``max_stored_length``.
        """
        classified = self._classify(stored, salt)
        if isinstance(classified, Unusable):
            raise NotWrappable("an unusable password has nothing to wrap; leave it as it is")
        if not isinstance(classified, ParsedHash):
            raise NotWrappable("value is already argon2 or wrapped; nothing to wrap")
        if classified.scheme is PLAINTEXT:
            return self.hash(stored)
        scheme, params = classified.scheme, classified.params
        scheme.check_params(params)
        kid = self.pepper.current_kid if self.pepper else None
        secret = self.pepper.apply(kid, classified.checksum) if self.pepper and kid else classified.checksum
        wrapped = format_wrap(scheme, params, kid, self._argon2_hash(secret))
        if len(wrapped) > self.max_stored_length:
            raise WrappedHashTooLong(
                f"wrapped {scheme.name} hash is {len(wrapped)} characters, over the column's "
                f"{self.max_stored_length}: widen the column (and max_stored_length) or leave it legacy",
                length=len(wrapped),
                limit=self.max_stored_length,
            )
        return wrapped

    def dummy_verify(self, password: str | None = None) -> bool:
        """Spend what verifying a current hash costs, and return ``False``: call it when the user does
        not exist, so response time does not tell whether they do. Pass the submitted password so a
        non-normalised one costs the same two attempts as for a real user."""
        dummy = self._dummy_hash()
        self._check(self._classify(dummy, b""), password_bytes(password or "sentinel-dummy-password"))
        return False

    # -- asynchronous twins: the same work in the bounded thread pool --------------------------------

    async def ahash(self, password: str) -> str:
        return await self._offloader.run(self.hash, password)

    async def averify(self, stored: str, password: str, *, salt: Salt = None) -> bool:
        return await self._offloader.run(functools.partial(self.verify, stored, password, salt=salt))

    async def averify_and_update(
        self, stored: str, password: str, *, salt: Salt = None
    ) -> tuple[bool, str | None]:
        return await self._offloader.run(
            functools.partial(self.verify_and_update, stored, password, salt=salt)
        )

    async def adummy_verify(self, password: str | None = None) -> bool:
        return await self._offloader.run(self.dummy_verify, password)

    def close(self) -> None:
        """Stop the async methods' worker threads (a later async call starts them again)."""
        self._offloader.close()

    # -- internals -------------------------------------------------------------------------------

    def _classify(self, stored: str, salt: Salt) -> Classified:
        return classify(
            stored,
            hex_recipe=self.hex_recipe,
            plaintext=self.plaintext_column,
            salt=salt,
            flask_bcrypt_long_passwords=self.flask_bcrypt_long_passwords,
        )

    def _hash_secret(self, secret: bytes) -> str:
        if self.pepper is None:
            return self._argon2_hash(secret)
        kid = self.pepper.current_kid
        return format_peppered(kid, self._argon2_hash(self.pepper.apply(kid, secret)))

    def _argon2_hash(self, secret: bytes) -> str:
        try:
            return self._argon2.hash(secret)
        except HashingError as exc:
            raise HashingFailed(f"argon2 could not hash: {exc}") from exc

    def _argon2_verify(self, encoded: str, secret: bytes) -> bool:
        try:
            return self._argon2.verify(encoded, secret)
        except VerifyMismatchError:
            return False
        except InvalidHashError as exc:
            raise UnknownHashFormat("argon2 hash is malformed") from exc
        except VerificationError as exc:
            raise HashingFailed(f"argon2 could not verify: {exc}") from exc

    def _pepper_for(self, kid: str, data: bytes) -> bytes:
        if self.pepper is None:
            raise UnknownPepperKey(
                f"hash was peppered with key id {kid} but no pepper is configured (SENTINEL_PASSWORD_PEPPER)",
                kid=kid,
            )
        return self.pepper.apply(kid, data)

    def _check(self, classified: Classified, pw: PasswordBytes) -> _Outcome:
        if isinstance(classified, Unusable):
            # No password matches; spend a current hash's time so the answer does not tell an
            # unusable account from a real one.
            self._check(self._classify(self._dummy_hash(), b""), pw)
            return _Outcome.NO_MATCH
        if isinstance(classified, Direct):
            return self._check_direct(classified, pw)
        if isinstance(classified, Wrapped):
            scheme = WRAPPABLE[classified.scheme_name]
            checksum = _legacy_checksum(scheme, pw.raw, classified.params)
            if classified.kid is not None:
                checksum = self._pepper_for(classified.kid, checksum)
            return _Outcome.MATCH if self._argon2_verify(classified.inner, checksum) else _Outcome.NO_MATCH
        computed = _legacy_checksum(classified.scheme, pw.raw, classified.params)
        matched = hmac.compare_digest(computed, classified.checksum)
        if classified.scheme is PLAINTEXT:
            outcome = "verified" if matched else "rejected"
            security_event("password.plaintext_stored", outcome=outcome, scheme="plaintext")
        return _Outcome.MATCH if matched else _Outcome.NO_MATCH

    def _check_direct(self, direct: Direct, pw: PasswordBytes) -> _Outcome:
        if direct.kid is not None:
            secret = self._pepper_for(direct.kid, pw.normalized)
            return _Outcome.MATCH if self._argon2_verify(direct.encoded, secret) else _Outcome.NO_MATCH
        if self._argon2_verify(direct.encoded, pw.normalized):
            return _Outcome.MATCH
        # Hashes made elsewhere (or before Sentinel) used the raw bytes: accept them once, then rehash.
        if not pw.is_normalized and self._argon2_verify(direct.encoded, pw.raw):
            return _Outcome.MATCH_REHASH
        return _Outcome.NO_MATCH

    def _needs_update(self, classified: Classified) -> bool:
        if isinstance(classified, Unusable):
            return False
        if not isinstance(classified, Direct) or classified.foreign:
            return True
        current_kid = self.pepper.current_kid if self.pepper else None
        return classified.kid != current_kid or argon2_parameters(classified.encoded) != self._parameters

    def _dummy_hash(self) -> str:
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self.hash(secrets.token_urlsafe(24))
            return self._dummy


def _legacy_checksum(scheme: LegacyScheme, password: bytes, params: LegacyParams) -> bytes:
    try:
        return scheme.checksum(password, params)
    except PasswordError:
        raise
    except ValueError as exc:  # e.g. a salt the bcrypt library will not take
        raise UnknownHashFormat(f"{scheme.label} checksum could not be computed: {exc}") from None


__all__ = ["PasswordHasher"]
