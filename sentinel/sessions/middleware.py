"""``SessionMiddleware``: strict, cookie-only, server-side sessions for any ASGI app.

Per request: refuse (or strip) session IDs in the URL, open the session from the cookie only, run the
app, then at ``http.response.start`` persist what changed and set or clear the cookie. A store that
fails or is out of capacity becomes a fast 503 ``application/problem+json`` with Retry-After, and a
client past its new-session budget a 429 (:mod:`sentinel.sessions.budget`): never a hung request and
never a response that claims a login it could not save.

Every response to a request that carried (or ended with) an authenticated session is private:
``Cache-Control: private, no-store`` unless the app chose its own ``private`` or ``no-store``
policy, and ``Vary: Cookie``. Whether the handler happened to read the session does not matter:
``get_session(request).user_id`` reads nothing from the mapping, yet the page is the user's.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Literal

from sentinel.errors import ConfigurationError, SentinelUnsafeWarning, StoreError, StoreFull
from sentinel.events import security_event
from sentinel.insecure_host import explain_insecure_host
from sentinel.keys import Secret, coerce_keys, derive_key
from sentinel.problem import Problem, send_problem
from sentinel.ratelimit import NO_PROXIES, RedisLimiterStore, TrustedProxies
from sentinel.sessions.budget import NewSessionBudget, TooManyNewSessions, too_many_new_sessions
from sentinel.sessions.config import SessionSettings
from sentinel.sessions.ids import CookieSigner
from sentinel.sessions.manager import SessionManager
from sentinel.sessions.memory import MemoryStore
from sentinel.sessions.redis_store import RedisStore
from sentinel.sessions.session import Session
from sentinel.sessions.store import SessionStore
from sentinel.sessions.url_guard import find_session_params, strip_session_params
from sentinel.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("sentinel.sessions")


def store_problem(exc: StoreError) -> Problem:
    """The 503 a request gets when the session store cannot serve it."""
    full = isinstance(exc, StoreFull)
    return Problem(
        status=503,
        slug="session-store-full" if full else "session-store-unavailable",
        title="Session store at capacity" if full else "Session store unavailable",
        detail="Sessions are temporarily unavailable; retry after the indicated delay.",
        retry_after=exc.retry_after,
    )


_PRIVATE = b"private, no-store"
#: Sent with a logout: browsers drop this origin's cached pages, including the back/forward cache,
#: which may otherwise restore a ``no-store`` page on Back (Chromium does, on ``http://localhost``).
_CLEAR_CACHE = (b"clear-site-data", b'"cache"')


def _keeps_private(value: bytes) -> bool:
    """The app's own Cache-Control already keeps the response out of shared caches."""
    directives = {d.strip().split(b"=", 1)[0] for d in value.lower().split(b",")}
    return b"private" in directives or b"no-store" in directives


def session_headers(
    headers: Iterable[tuple[bytes, bytes]], cookie: str | None, *, private: bool = False
) -> list[tuple[bytes, bytes]]:
    """``headers`` plus ``Vary: Cookie``; with a new cookie, Set-Cookie and
    ``Cache-Control: private, no-store`` (replacing the app's own): a shared cache must never keep a
    response that hands out a session, whatever the app said. With ``private`` (an authenticated
    request), ``private, no-store`` too, unless the app's own policy says ``private`` or ``no-store``.

    Works on the raw header list in one pass: this runs on every response that touched a session,
    and starlette's ``MutableHeaders`` rescans and re-decodes the list for each operation.
    """
    out: list[tuple[bytes, bytes]] = []
    has_vary = False
    kept_policy = False
    for name, value in headers:
        if name == b"vary":
            has_vary = True
            if b"cookie" not in value.lower() and value.strip() != b"*":
                value = value + b", Cookie"
        elif name == b"cache-control":
            if cookie is not None or (private and not _keeps_private(value)):
                continue
            kept_policy = True
        out.append((name, value))
    if not has_vary:
        out.append((b"vary", b"Cookie"))
    if cookie is not None:
        out.append((b"set-cookie", cookie.encode("latin-1")))
    if cookie is not None or (private and not kept_policy):
        out.append((b"cache-control", _PRIVATE))
    return out


URL_SESSION_PROBLEM = Problem(
    status=400,
    slug="session-id-in-url",
    title="Session identifier in URL",
    detail="Session identifiers are accepted only in cookies; remove the session parameter from the URL.",
)


class SessionMiddleware:
    """Wrap an ASGI app with Sentinel sessions.

    ``Middleware(SessionMiddleware, secret_keys=[...], store=MemoryStore())`` in Starlette, or
    ``SessionMiddleware(app, secret_keys=[...])`` directly. ``secret_keys`` is newest first; pass
    :class:`~sentinel.keys.Secret` values or strings read from the environment. Every other keyword
    is a :class:`~sentinel.sessions.SessionSettings` field, or pass ``settings=`` whole.

    ``budget`` limits how many new sessions one client may create (:mod:`sentinel.sessions.budget`):
    by default 30 at once and 30 a minute per IPv4 address or IPv6 /64, counted in Redis when the
    store is a :class:`RedisStore` (shared by every process), else in process. ``proxies`` says whose
    forwarding headers name the client. ``budget=None`` turns the limit off (warns: a proxy must then
    limit session creation).
    """

    def __init__(
        self,
        app: ASGIApp,
        /,
        *,
        secret_keys: Iterable[str | bytes | Secret],
        store: SessionStore | None = None,
        settings: SessionSettings | None = None,
        clock: Callable[[], float] = time.time,
        budget: NewSessionBudget | Literal["default"] | None = "default",
        proxies: TrustedProxies = NO_PROXIES,
        **options: Any,
    ) -> None:
        if settings is not None and options:
            raise ConfigurationError(["pass settings= or individual options, not both"])
        self.app = app
        self.settings = settings or SessionSettings(**options)
        keys = coerce_keys(secret_keys, what="secret_keys")
        store = store if store is not None else MemoryStore()
        if budget == "default":
            budget = default_budget(store, keys[0], proxies, clock)
        elif budget is None:
            message = "budget=None: any client may create sessions without limit"
            logger.warning("UNSAFE session setting: %s", message)
            warnings.warn(message, SentinelUnsafeWarning, stacklevel=2)
        self.manager = SessionManager(self.settings, store, CookieSigner(keys), clock=clock, budget=budget)
        self._url_names = self.settings.url_param_names
        self._strip = self.settings.url_policy == "strip"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["query_string"] or ";" in scope["path"]:
            found = find_session_params(scope, self._url_names)
            if found:
                stripped = self._strip and strip_session_params(scope, self._url_names)
                security_event(
                    "session.id_in_url",
                    outcome="stripped" if stripped else "refused",
                    scope=scope,
                    parameters=sorted(set(found)),
                )
                if not stripped:
                    await send_problem(send, URL_SESSION_PROBLEM, scope)
                    return
        try:
            session = await self.manager.open(scope)
        except StoreError as exc:
            await send_problem(send, store_problem(exc), scope)
            return
        scope["session"] = session
        authenticated = session.user_id is not None
        started = False
        replaced = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return  # the app's own response was replaced by a 429 or 503; drop its body
            if message["type"] == "http.response.start":
                started = True
                committed = await _commit(session, scope)
                if isinstance(committed, Problem):
                    replaced = True
                    if committed.status == 429:  # a spent budget: maybe cookies the browser dropped
                        committed = explain_insecure_host(committed, scope)
                    await send_problem(send, committed, scope)
                    return
                cookie = committed
                private = authenticated or session.user_id is not None
                if cookie is not None or session.accessed or private:
                    headers = session_headers(message.get("headers", ()), cookie, private=private)
                    if authenticated and session.user_id is None:
                        headers.append(_CLEAR_CACHE)  # logged out: no cached page of the user's
                    message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except TooManyNewSessions as exc:
            if replaced:
                return  # already answered 429 (a framework turned the exception into its own 500)
            if started:
                raise
            refusal = session.refusal or too_many_new_sessions(exc.retry_after)
            await send_problem(send, explain_insecure_host(refusal, scope), scope)
        except StoreError as exc:
            if started:
                raise
            await send_problem(send, store_problem(exc), scope)


async def _commit(session: Session, scope: Scope) -> str | Problem | None:
    """Persist the session: the Set-Cookie value to send, or the problem to answer instead."""
    if session.refusal is not None:
        return session.refusal  # login() was refused during the handler: no session was made
    try:
        return await session.manager.commit(session, scope)
    except TooManyNewSessions as exc:
        return session.refusal or too_many_new_sessions(exc.retry_after)
    except StoreError as exc:
        return store_problem(exc)


def default_budget(
    store: SessionStore, key: Secret, proxies: TrustedProxies, clock: Callable[[], float]
) -> NewSessionBudget:
    """The budget a middleware gets unless told otherwise: counters beside the sessions."""
    counters = None
    if isinstance(store, RedisStore):
        counters = RedisLimiterStore(client=store.redis, prefix=store.prefix)
    budget_key = derive_key(key, "session.budget")
    return NewSessionBudget(store=counters, key=budget_key, proxies=proxies, clock=clock)


__all__ = [
    "URL_SESSION_PROBLEM",
    "SessionMiddleware",
    "default_budget",
    "session_headers",
    "store_problem",
]
