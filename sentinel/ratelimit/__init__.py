"""Authentication rate limiting and a general per-client rate (see ``docs/ratelimit.md``).

:class:`AuthLimiter` limits login attempts per (account, client IP) pair, per account and per client
IP bucket, with soft, self-expiring, exponentially growing lockouts; :class:`RateLimitMiddleware`
applies a plain per-client rate to chosen paths. Both run on a bounded in-process store or on Redis,
and fall back to the in-process store (never to unlimited attempts) when Redis fails.
"""

from sentinel.problem import problem_response
from sentinel.ratelimit.addresses import (
    DEFAULT_IPV4_PREFIX,
    DEFAULT_IPV6_PREFIX,
    UNKNOWN_CLIENT,
    parse_ip,
)
from sentinel.ratelimit.decision import Decision, too_many_attempts, too_many_requests
from sentinel.ratelimit.errors import AttemptStateError, RateLimited, RateLimitError
from sentinel.ratelimit.keying import normalise_account
from sentinel.ratelimit.limiter import AuthLimiter
from sentinel.ratelimit.memory import DEFAULT_MAX_ENTRIES, MemoryLimiterStore
from sentinel.ratelimit.middleware import RateLimitMiddleware
from sentinel.ratelimit.policy import (
    ACCOUNT_DEFAULT,
    ASVS_MAX_FAILURES_PER_HOUR,
    DEFAULT_AUTH_POLICY,
    DEFAULT_ROUTE_RATE,
    IP_DEFAULT,
    PAIR_DEFAULT,
    STRICT_AUTH_POLICY,
    AuthPolicy,
    Limit,
    Rate,
)
from sentinel.ratelimit.proxies import NO_PROXIES, TrustedProxies
from sentinel.ratelimit.redis_store import RedisLimiterStore
from sentinel.ratelimit.store import AttemptKeys, LimiterStore

__all__ = [
    "ACCOUNT_DEFAULT",
    "ASVS_MAX_FAILURES_PER_HOUR",
    "DEFAULT_AUTH_POLICY",
    "DEFAULT_IPV4_PREFIX",
    "DEFAULT_IPV6_PREFIX",
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_ROUTE_RATE",
    "IP_DEFAULT",
    "NO_PROXIES",
    "PAIR_DEFAULT",
    "STRICT_AUTH_POLICY",
    "UNKNOWN_CLIENT",
    "AttemptKeys",
    "AttemptStateError",
    "AuthLimiter",
    "AuthPolicy",
    "Decision",
    "Limit",
    "LimiterStore",
    "MemoryLimiterStore",
    "Rate",
    "RateLimitError",
    "RateLimitMiddleware",
    "RateLimited",
    "RedisLimiterStore",
    "TrustedProxies",
    "normalise_account",
    "parse_ip",
    "problem_response",
    "too_many_attempts",
    "too_many_requests",
]
