"""``SessionMiddleware``: strict, cookie-only, server-side sessions for any ASGI app.

Per request: refuse (or strip) session IDs in the URL, open the session from the cookie only, run the
app, then at ``http.response.start`` persist what changed and set or clear the cookie. A store that
fails or is out of capacity becomes a fast 503 ``application/problem+json`` with Retry-After, never
a hung request and never a response that claims a login it could not save.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from sentinel.errors import ConfigurationError, StoreError, StoreFull
from sentinel.events import security_event
from sentinel.keys import Secret, coerce_keys
from sentinel.problem import Problem, send_problem
from sentinel.sessions.config import SessionSettings
from sentinel.sessions.ids import CookieSigner
from sentinel.sessions.manager import SessionManager
from sentinel.sessions.memory import MemoryStore
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


def session_headers(headers: Iterable[tuple[bytes, bytes]], cookie: str | None) -> list[tuple[bytes, bytes]]:
    """``headers`` plus ``Vary: Cookie``, and with a new cookie, Set-Cookie and
    ``Cache-Control: private, no-store`` (replacing the app's own): a shared cache must never keep a
    response that hands out a session, whatever the app said.

    Works on the raw header list in one pass: this runs on every response that touched a session,
    and starlette's ``MutableHeaders`` rescans and re-decodes the list for each operation.
    """
    out: list[tuple[bytes, bytes]] = []
    has_vary = False
    for name, value in headers:
        if name == b"vary":
            has_vary = True
            if b"cookie" not in value.lower():
                value = value + b", Cookie"
        elif name == b"cache-control" and cookie is not None:
            continue
        out.append((name, value))
    if not has_vary:
        out.append((b"vary", b"Cookie"))
    if cookie is not None:
        out.append((b"set-cookie", cookie.encode("latin-1")))
        out.append((b"cache-control", b"private, no-store"))
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
        **options: Any,
    ) -> None:
        if settings is not None and options:
            raise ConfigurationError(["pass settings= or individual options, not both"])
        self.app = app
        self.settings = settings or SessionSettings(**options)
        self.manager = SessionManager(
            self.settings,
            store if store is not None else MemoryStore(),
            CookieSigner(coerce_keys(secret_keys, what="secret_keys")),
            clock=clock,
        )
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
                    await send_problem(send, URL_SESSION_PROBLEM)
                    return
        manager = self.manager
        try:
            session = await manager.open(scope)
        except StoreError as exc:
            await send_problem(send, store_problem(exc))
            return
        scope["session"] = session
        started = False
        replaced = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return  # the app's own response was replaced by a 503; drop its body
            if message["type"] == "http.response.start":
                started = True
                try:
                    cookie = await manager.commit(session)
                except StoreError as exc:
                    replaced = True
                    await send_problem(send, store_problem(exc))
                    return
                if cookie is not None or session.accessed:
                    message["headers"] = session_headers(message.get("headers", ()), cookie)
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except StoreError as exc:
            if started:
                raise
            await send_problem(send, store_problem(exc))


__all__ = ["URL_SESSION_PROBLEM", "SessionMiddleware", "session_headers", "store_problem"]
