"""Errors raised by :mod:`sentinel.passwords`.

``verify()`` answers ``False`` for a wrong password and *raises* for a stored value it cannot judge: an
unknown or ambiguous format, or a pepper key that is no longer configured. Answering ``False`` there
would turn a migration mistake (a forgotten recipe, a dropped pepper key) into every affected user
silently failing to log in, with nothing in the logs; an exception is loud, typed, and names the fix::

    SentinelError
    └── PasswordError                 base of this package; never raised directly
        ├── InvalidPassword           the password itself cannot be processed (lone surrogates, ...)
        │   └── PasswordTooLong       over MAX_PASSWORD_BYTES: refused to bound the cost of hashing
        ├── UnknownHashFormat         the stored value matches no scheme (or is a malformed instance)
        │   └── AmbiguousHash         bare hex digest and no HexRecipe declared: never guessed
        ├── MissingSalt               the HexRecipe reads the salt column but no ``salt=`` was given
        ├── UnknownPepperKey          peppered with a key id that is not configured (or no pepper)
        ├── NotWrappable              ``wrap()`` got something that is already argon2 or wrapped
        ├── WrappedHashTooLong        the wrapped string would not fit the storage column
        ├── HashingFailed             argon2 itself failed (e.g. could not allocate memory)
        └── HasherBusy                too many hashes queued: answer 503 with ``retry_after``

Messages never contain the stored value or the password: for a plaintext column the stored value *is*
the password, and hashes do not belong in logs either.
"""

from __future__ import annotations

from sentinel.errors import SentinelError


class PasswordError(SentinelError):
    """Base of every error in :mod:`sentinel.passwords`; never raised directly."""


class InvalidPassword(PasswordError, ValueError):
    """The password cannot be turned into bytes safely (e.g. it holds lone UTF-16 surrogates)."""


class PasswordTooLong(InvalidPassword):
    """The password exceeds ``limit`` bytes. Refused, never truncated: truncation would silently
    accept every password sharing the prefix, and an unbounded input lets one request burn CPU."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class UnknownHashFormat(PasswordError, ValueError):
    """The stored value matches no supported scheme, or is a malformed instance of one."""


class AmbiguousHash(UnknownHashFormat):
    """A bare hex digest: md5, sha1, ... of what, salted how? Declare a ``HexRecipe``; we never guess."""


class MissingSalt(PasswordError, ValueError):
    """The declared ``HexRecipe`` reads the salt from a separate column, and none was passed."""


class UnknownPepperKey(PasswordError):
    """The hash was peppered with key id ``kid``, which is not among the configured pepper keys.

    Keep retired keys configured (after the newest) until ``verify_and_update`` has re-peppered every
    hash made with them.
    """

    def __init__(self, message: str, *, kid: str) -> None:
        super().__init__(message)
        self.kid = kid


class NotWrappable(PasswordError, ValueError):
    """``wrap()`` was given a value that is already a direct argon2 hash or already wrapped."""


class WrappedHashTooLong(PasswordError, ValueError):
    """The wrapped form would be longer than ``limit`` characters (the storage column's size)."""

    def __init__(self, message: str, *, length: int, limit: int) -> None:
        super().__init__(message)
        self.length = length
        self.limit = limit


class HashingFailed(PasswordError):
    """argon2 could not run (out of memory, ...): an operational fault, never a wrong password."""


class HasherBusy(PasswordError):
    """More hashes are queued than ``max_pending``: shed load (503 + Retry-After), do not queue more."""

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


__all__ = [
    "AmbiguousHash",
    "HasherBusy",
    "HashingFailed",
    "InvalidPassword",
    "MissingSalt",
    "NotWrappable",
    "PasswordError",
    "PasswordTooLong",
    "UnknownHashFormat",
    "UnknownPepperKey",
    "WrappedHashTooLong",
]
