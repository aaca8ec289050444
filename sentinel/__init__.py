"""Sentinel: an OWASP-focused security toolkit for ASGI applications.

The public API is re-exported here; each capability also lives in its own subpackage.
"""

from sentinel._version import __version__
from sentinel.breaker import CircuitBreaker
from sentinel.errors import (
    ConfigurationError,
    SentinelError,
    StoreError,
    StoreFull,
    StoreUnavailable,
)
from sentinel.keys import Secret, keys_from_env
from sentinel.problem import Problem
from sentinel.redis_client import RedisTimeouts
from sentinel.sessions import (
    MemoryStore,
    RedisStore,
    SentinelUnsafeWarning,
    Session,
    SessionMiddleware,
    SessionSettings,
    SessionStore,
    get_session,
    login,
    logout,
    revoke_user_sessions,
    rotate_session,
    session_hash,
)

__all__ = [
    "CircuitBreaker",
    "ConfigurationError",
    "MemoryStore",
    "Problem",
    "RedisStore",
    "RedisTimeouts",
    "Secret",
    "SentinelError",
    "SentinelUnsafeWarning",
    "Session",
    "SessionMiddleware",
    "SessionSettings",
    "SessionStore",
    "StoreError",
    "StoreFull",
    "StoreUnavailable",
    "__version__",
    "get_session",
    "keys_from_env",
    "login",
    "logout",
    "revoke_user_sessions",
    "rotate_session",
    "session_hash",
]
