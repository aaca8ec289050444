"""The login flow: rate limit, verify, rehash, rotate the session, record (see ``docs/auth.md``)."""

from sentinel.auth.login import (
    INVALID_CREDENTIALS,
    Authenticator,
    Credentials,
    LoginResult,
    LookupUser,
    Outcome,
    SaveHash,
)

__all__ = [
    "INVALID_CREDENTIALS",
    "Authenticator",
    "Credentials",
    "LoginResult",
    "LookupUser",
    "Outcome",
    "SaveHash",
]
