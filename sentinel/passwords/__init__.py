"""Password hashing and verification: argon2id for new hashes, every common legacy format verified
and upgraded, wrapped legacy hashes for bulk migration, optional pepper, and a NIST-style policy.

See ``docs/passwords.md``. Errors are described in :mod:`sentinel.passwords.errors`.
"""

from sentinel.passwords.encoding import MAX_PASSWORD_BYTES
from sentinel.passwords.errors import (
    AmbiguousHash,
    HasherBusy,
    HashingFailed,
    InvalidPassword,
    MissingSalt,
    NotWrappable,
    PasswordError,
    PasswordTooLong,
    UnknownHashFormat,
    UnknownPepperKey,
    WrappedHashTooLong,
)
from sentinel.passwords.formats import MAX_STORED_LENGTH
from sentinel.passwords.hasher import PasswordHasher
from sentinel.passwords.identify import HashKind, SchemeInfo, identify
from sentinel.passwords.legacy import WRAPPABLE as _WRAPPABLE
from sentinel.passwords.legacy import HexRecipe
from sentinel.passwords.pepper import PEPPER_ENV, Pepper
from sentinel.passwords.policy import (
    DEFAULT_POLICY,
    SINGLE_FACTOR_POLICY,
    PasswordPolicy,
    PolicyProblem,
    PolicyResult,
    Violation,
)
from sentinel.passwords.profiles import (
    DEFAULT_PROFILE,
    INSECURE_TEST_ONLY,
    OWASP,
    PROFILES,
    RFC_9106_LOW_MEMORY,
    Argon2Profile,
)

#: Stable names of the legacy schemes Sentinel verifies and wraps (plus "plaintext", declared only).
LEGACY_SCHEMES: tuple[str, ...] = (*sorted(_WRAPPABLE), "plaintext")

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_PROFILE",
    "INSECURE_TEST_ONLY",
    "LEGACY_SCHEMES",
    "MAX_PASSWORD_BYTES",
    "MAX_STORED_LENGTH",
    "OWASP",
    "PEPPER_ENV",
    "PROFILES",
    "RFC_9106_LOW_MEMORY",
    "SINGLE_FACTOR_POLICY",
    "AmbiguousHash",
    "Argon2Profile",
    "HashKind",
    "HasherBusy",
    "HashingFailed",
    "HexRecipe",
    "InvalidPassword",
    "MissingSalt",
    "NotWrappable",
    "PasswordError",
    "PasswordHasher",
    "PasswordPolicy",
    "PasswordTooLong",
    "Pepper",
    "PolicyProblem",
    "PolicyResult",
    "SchemeInfo",
    "UnknownHashFormat",
    "UnknownPepperKey",
    "Violation",
    "WrappedHashTooLong",
    "identify",
]
