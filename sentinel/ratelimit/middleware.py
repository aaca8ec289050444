"""``RateLimitMiddleware``: a general per-client rate on chosen paths (the slowapi use case).

It counts every request to the chosen paths per client IP bucket (resolved through trusted proxies,
IPv6 per /64) and answers ``429`` problem+json with Retry-After beyond the rate. It does not replace
:class:`~sentinel.ratelimit.AuthLimiter` on login routes, which limits *failures* per account too.

When the shared store fails, ``on_store_failure`` decides:

- ``"fallback"`` (default): count in a bounded in-process store; still limited, per process;
- ``"closed"``: answer ``503`` problem+json with Retry-After at once;
- ``"open"``: let requests through unlimited. Explicit, and it warns at start-up.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Literal

from sentinel.errors import ConfigurationError, SentinelUnsafeWarning, StoreError
from sentinel.events import security_event
from sentinel.keys import Secret
from sentinel.problem import Problem, send_problem
from sentinel.ratelimit.addresses import DEFAULT_IPV4_PREFIX, DEFAULT_IPV6_PREFIX, prefix_problems
from sentinel.ratelimit.decision import too_many_requests
from sentinel.ratelimit.fallback import Backends
from sentinel.ratelimit.keying import Keyer
from sentinel.ratelimit.memory import MemoryLimiterStore
from sentinel.ratelimit.policy import DEFAULT_ROUTE_RATE, Rate
from sentinel.ratelimit.proxies import NO_PROXIES, TrustedProxies
from sentinel.ratelimit.store import LimiterStore
from sentinel.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("sentinel.ratelimit")

StoreFailurePolicy = Literal["fallback", "closed", "open"]


def store_unavailable(retry_after: int) -> Problem:
    """The 503 a fail-closed middleware sends while its store is down."""
    return Problem(
        status=503,
        slug="rate-limit-store-unavailable",
        title="Rate limiting unavailable",
        detail="Requests to this path are refused while rate limiting is unavailable; retry later.",
        retry_after=retry_after,
    )


class RateLimitMiddleware:
    """Limit requests to ``paths`` per client IP bucket to ``rate``.

    ``paths`` are exact paths, or prefixes when they end in ``*`` (``"/api/*"``). ``methods``
    restricts it to some methods (``None``: all). With a shared store pass ``key=`` as for
    :class:`~sentinel.ratelimit.AuthLimiter`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        paths: Iterable[str],
        rate: Rate = DEFAULT_ROUTE_RATE,
        store: LimiterStore | None = None,
        key: Secret | str | bytes | None = None,
        proxies: TrustedProxies = NO_PROXIES,
        methods: Iterable[str] | None = None,
        on_store_failure: StoreFailurePolicy = "fallback",
        name: str = "default",
        ipv4_prefix: int = DEFAULT_IPV4_PREFIX,
        ipv6_prefix: int = DEFAULT_IPV6_PREFIX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        store = store if store is not None else MemoryLimiterStore()
        paths = [paths] if isinstance(paths, str) else list(paths)
        problems = rate.problems() + prefix_problems(ipv4_prefix, ipv6_prefix)
        if not paths or any(not p.startswith("/") for p in paths):
            problems.append("paths must be a non-empty list of paths starting with '/'")
        if on_store_failure not in ("fallback", "closed", "open"):
            problems.append("on_store_failure must be 'fallback', 'closed' or 'open'")
        if key is None and store.shared:
            problems.append(f"a shared {store.name} store needs key=, the same secret on every process")
        if problems:
            raise ConfigurationError(problems)
        if on_store_failure == "open":
            message = "on_store_failure='open': requests pass UNLIMITED whenever the rate-limit store fails"
            logger.warning("UNSAFE rate-limit setting: %s", message)
            warnings.warn(message, SentinelUnsafeWarning, stacklevel=2)
        self.app = app
        self.rate = rate
        self._burst, self._interval = rate.compiled()
        self._exact = frozenset(p for p in paths if not p.endswith("*"))
        self._prefixes = tuple(p[:-1] for p in paths if p.endswith("*"))
        if isinstance(methods, str):
            methods = [methods]
        self._methods = None if methods is None else frozenset(m.upper() for m in methods)
        self._on_failure = on_store_failure
        self._name = name
        self._keyer = Keyer(key, ipv4_prefix=ipv4_prefix, ipv6_prefix=ipv6_prefix)
        self._proxies = proxies
        self._backends = Backends(store, None, what=f"route:{name}")
        self._clock = clock

    def _applies(self, scope: Scope) -> bool:
        if self._methods is not None and scope.get("method") not in self._methods:
            return False
        path: str = scope.get("path", "")
        return path in self._exact or path.startswith(self._prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._applies(scope):
            await self.app(scope, receive, send)
            return
        bucket = self._keyer.bucket(self._proxies.client_address(scope))
        key = self._keyer.throttle(bucket, self._name)
        now = int(self._clock() * 1000)

        async def hit(store: LimiterStore) -> tuple[bool, int]:
            verdict = await store.throttle(key, self._burst, self._interval, now)
            return verdict.allowed, verdict.wait

        if self._on_failure == "fallback":
            (allowed, wait), _ = await self._backends.run(hit)
        else:
            try:
                allowed, wait = await self._backends.primary_only(hit)
            except StoreError as exc:
                if self._on_failure == "closed":
                    await send_problem(send, store_unavailable(exc.retry_after), scope)
                    return
                allowed, wait = True, 0
        if allowed:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, -(-wait // 1000))
        security_event(
            "ratelimit.route_refused", outcome="refused", level=logging.INFO, scope=scope, limit=self._name
        )
        await send_problem(send, too_many_requests(retry_after), scope)


__all__ = ["RateLimitMiddleware", "StoreFailurePolicy", "store_unavailable"]
