"""``sentinel.protect(app)``: the whole stack, in the right order, with safe defaults.

Outermost first, and why there:

1. ``RequestIdMiddleware``: every later log line and response carries the request's ID.
2. ``SecurityHeadersMiddleware``: even refusals (400/413/429/503) get the headers.
3. ``HealthMiddleware``: operators can see the service *while* it sheds load.
4. ``BodyDeadlineMiddleware``: a body that does not arrive in time is answered 408, whoever is
   reading it (a guard below or the app), so a stalled client cannot hold a request open.
5. ``LoadSheddingMiddleware``: refuse before spending anything (a store round trip, a body read);
   a request waiting for its body holds no slot.
6. ``SessionMiddleware``: cookie-only sessions; refuses session IDs in URLs.
7. ``CSRFMiddleware``: needs the session; refuses before the app reads a body.
8. ``XMLGuardMiddleware``: inspects XML bodies before the app's parser sees them.
9. the app. Login handlers call :class:`sentinel.auth.Authenticator` with :attr:`Protected.limiter`.

Every part is built here, eagerly, so a configuration problem fails at start-up rather than at the
first request, and the stores are shared: the health endpoint reports the very stores and breakers
the guards use. With Redis configured, the lifespan start-up also pings it (:mod:`sentinel.startup`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sentinel.csrf import CSRFMiddleware
from sentinel.events import LOGGER_NAME
from sentinel.headers import SecurityHeadersMiddleware
from sentinel.health import HealthMiddleware
from sentinel.insecure_host import InsecureHostWarning
from sentinel.keys import Secret, derive_key
from sentinel.observability import RequestIdMiddleware, configure_security_log
from sentinel.ratelimit import AuthLimiter, RedisLimiterStore
from sentinel.sessions import MemoryStore, RedisStore, SessionMiddleware, SessionStore
from sentinel.settings import SentinelSettings
from sentinel.shedding import BodyDeadlineMiddleware, LoadShedder, LoadSheddingMiddleware
from sentinel.startup import run_lifespan
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
        # One readable line per security event on stderr, fields included, in either format; a level
        # the app set on the "sentinel.security" logger beforehand is kept (the demo quiets it).
        level = logging.getLogger(LOGGER_NAME).level or logging.INFO
        configure_security_log(format="json" if s.json_logs else "text", level=level)
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
        if s.body_deadline is not None:
            stack = BodyDeadlineMiddleware(stack, deadline=s.body_deadline)
        if s.health is not None:
            checks = {"sessions": self.session_store, "ratelimit": self.limiter}
            stack = HealthMiddleware(stack, settings=s.health, checks=checks, shedder=self.shedder)
        if s.headers is not None:
            stack = SecurityHeadersMiddleware(stack, policy=s.headers)
        if s.sessions.secure:  # say once per host why http://myhost:8000 keeps no session
            stack = InsecureHostWarning(stack, cookie_name=s.sessions.cookie_name)
        self._stack: ASGIApp = RequestIdMiddleware(stack)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.settings.redis_url:
            backends = [self.session_store, self.limiter.store]
            mode = self.settings.redis_startup
            await run_lifespan(
                self._stack, scope, receive, send, backends=backends, mode=mode, close=self.aclose
            )
            return
        await self._stack(scope, receive, send)

    async def aclose(self) -> None:
        """Release the stores' connections. With Redis configured, the lifespan shutdown calls this
        after the app's own shutdown; calling it again is harmless."""
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
