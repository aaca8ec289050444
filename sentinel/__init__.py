"""Sentinel: an OWASP-focused security toolkit for ASGI applications.

The names most apps need are re-exported here; each capability lives in its own subpackage
(``sentinel.sessions``, ``sentinel.passwords``, ``sentinel.ratelimit``, ``sentinel.auth``,
``sentinel.xml``, ``sentinel.csrf``, ``sentinel.headers``, ``sentinel.shedding``, ``sentinel.health``,
``sentinel.observability``), which exports the rest.
"""

from sentinel._version import __version__
from sentinel.breaker import CircuitBreaker
from sentinel.csrf import CSRFMiddleware, CSRFSettings, csrf_token
from sentinel.errors import (
    ConfigurationError,
    SentinelError,
    SentinelUnsafeWarning,
    StoreError,
    StoreFull,
    StoreUnavailable,
)
from sentinel.headers import HeaderPolicy, SecurityHeadersMiddleware, csp_nonce
from sentinel.health import HealthMiddleware, HealthSettings
from sentinel.keys import Secret, keys_from_env
from sentinel.observability import RequestIdMiddleware, configure_security_log
from sentinel.passwords import PasswordError, PasswordHasher, PasswordPolicy
from sentinel.problem import Problem
from sentinel.protect import Protected, protect
from sentinel.ratelimit import (
    AuthLimiter,
    AuthPolicy,
    RateLimited,
    RateLimitMiddleware,
    RedisLimiterStore,
    TrustedProxies,
)
from sentinel.redis_client import RedisTimeouts
from sentinel.sessions import (
    MemoryStore,
    RedisStore,
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
from sentinel.settings import SentinelSettings
from sentinel.shedding import LoadShedder, LoadSheddingMiddleware, SheddingPolicy
from sentinel.xml import XMLGuardMiddleware, XMLGuardSettings, XMLLimits

__all__ = [
    "AuthLimiter",
    "AuthPolicy",
    "CSRFMiddleware",
    "CSRFSettings",
    "CircuitBreaker",
    "ConfigurationError",
    "HeaderPolicy",
    "HealthMiddleware",
    "HealthSettings",
    "LoadShedder",
    "LoadSheddingMiddleware",
    "MemoryStore",
    "PasswordError",
    "PasswordHasher",
    "PasswordPolicy",
    "Problem",
    "Protected",
    "RateLimitMiddleware",
    "RateLimited",
    "RedisLimiterStore",
    "RedisStore",
    "RedisTimeouts",
    "RequestIdMiddleware",
    "Secret",
    "SecurityHeadersMiddleware",
    "SentinelError",
    "SentinelSettings",
    "SentinelUnsafeWarning",
    "Session",
    "SessionMiddleware",
    "SessionSettings",
    "SessionStore",
    "SheddingPolicy",
    "StoreError",
    "StoreFull",
    "StoreUnavailable",
    "TrustedProxies",
    "XMLGuardMiddleware",
    "XMLGuardSettings",
    "XMLLimits",
    "__version__",
    "configure_security_log",
    "csp_nonce",
    "csrf_token",
    "get_session",
    "keys_from_env",
    "login",
    "logout",
    "protect",
    "revoke_user_sessions",
    "rotate_session",
    "session_hash",
]
