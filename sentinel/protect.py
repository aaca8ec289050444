"""``sentinel.protect(app)``: the whole stack, in the right order, with safe defaults.

Outermost first, and why there:

1. ``RequestIdMiddleware``: every later log line and response carries the request's ID.
2. ``SecurityHeadersMiddleware``: even refusals (400/413/429/503) get the headers.
3. ``HealthMiddleware``: operators can see the service *while* it sheds load.
4. ``LoadSheddingMiddleware``: refuse before spending anything (a store round trip, a body read).
5. ``SessionMiddleware``: cookie-only sessions; refuses session IDs in URLs.
6. ``CSRFMiddleware``: needs the session; refuses before the app reads a body.
7. ``XMLGuardMiddleware``: inspects XML bodies before the app's parser sees them.
8. the app. Login handlers call :class:`sentinel.auth.Authenticator` with :attr:`Protected.limiter`.

Every part is built here, eagerly, so a configuration problem fails at start-up rather than at the
first request, and the stores are shared: the health endpoint reports the very stores and breakers
the guards use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sentinel.csrf import CSRFMiddleware
from sentinel.headers import SecurityHeadersMiddleware
from sentinel.health import HealthMiddleware
from sentinel.keys import Secret, derive_key
from sentinel.observability import RequestIdMiddleware, configure_security_log
from sentinel.ratelimit import AuthLimiter, RedisLimiterStore
from sentinel.sessions import MemoryStore, RedisStore, SessionMiddleware, SessionStore
from sentinel.settings import SentinelSettings
from sentinel.shedding import LoadShedder, LoadSheddingMiddleware
from sentinel.types import ASGIApp, Receive, Scope, Send
from sentinel.xml import XMLGuardMiddleware


def _derive(keys: Sequence[Secret | str | bytes], purpose: str) -> list[Secret]:
    """Per-purpose keys, so sessions, CSRF and the limiter never share key material. (The raw keys
    were validated by :class:`SentinelSettings`, which also wrapped them in :class:`Secret`.)"""
    return [derive_key(key if isinstance(key, Secret) else Secret(key), purpose) for key in keys]


class Protected:
    """The protected ASGI app, plus the shared parts login code needs (``limiter``, stores)."""

    def __init__(self, app: ASGIApp, settings: SentinelSettings) -> None:
        self.app = app
        self.settings = s = settings
        if s.json_logs:
            configure_security_log()
        self.session_store: SessionStore = RedisStore(s.redis_url) if s.redis_url else MemoryStore()
        self.limiter = AuthLimiter(
            store=RedisLimiterStore(s.redis_url) if s.redis_url else None,
            key=_derive(s.secret_keys, "ratelimit")[0],
            policy=s.auth_policy,
            proxies=s.trusted_proxies,
        )
        self.shedder = None if s.shedding is None else LoadShedder(s.shedding)
        stack = app
        if s.xml is not None:
            stack = XMLGuardMiddleware(stack, settings=s.xml)
        if s.csrf is not None:
            stack = CSRFMiddleware(stack, secret_keys=_derive(s.secret_keys, "csrf"), settings=s.csrf)
        stack = SessionMiddleware(
            stack,
            secret_keys=_derive(s.secret_keys, "session"),
            store=self.session_store,
            settings=s.sessions,
            proxies=s.trusted_proxies,
        )
        if self.shedder is not None:
            stack = LoadSheddingMiddleware(stack, shedder=self.shedder)
        if s.health is not None:
            checks = {"sessions": self.session_store, "ratelimit": self.limiter}
            stack = HealthMiddleware(stack, settings=s.health, checks=checks, shedder=self.shedder)
        if s.headers is not None:
            stack = SecurityHeadersMiddleware(stack, policy=s.headers)
        self._stack: ASGIApp = RequestIdMiddleware(stack)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._stack(scope, receive, send)

    async def aclose(self) -> None:
        """Release the stores' connections (call from the app's lifespan shutdown)."""
        await self.session_store.aclose()
        await self.limiter.aclose()


def protect(app: ASGIApp, settings: SentinelSettings | None = None, **overrides: Any) -> Protected:
    """Wrap ``app`` in every Sentinel guard.

    With no ``settings``, they are read from ``SENTINEL_*`` variables
    (:meth:`SentinelSettings.from_env`); keyword ``overrides`` (any ``SentinelSettings`` field) win.
    """
    if settings is None:
        settings = SentinelSettings.from_env(**overrides)
    elif overrides:
        from sentinel.errors import ConfigurationError

        raise ConfigurationError(["pass settings= or keyword overrides, not both"])
    return Protected(app, settings)


__all__ = ["Protected", "protect"]
