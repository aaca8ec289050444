"""``RequestIdMiddleware``: one ID follows a request through every log line and back to the caller.

The seed asks that messages carry identifiers so one flow can be followed. The ID comes from the
caller's ``X-Request-ID`` when it is a safe token (1 to 64 of ``A-Z a-z 0-9 . _ -``), so a proxy's
or client's ID carries through; anything else (absent, too long, other characters, or
``trust_incoming=False``) is replaced by a fresh random one, never "cleaned up" into a look-alike.

The chosen ID is written back into the scope's headers, so :func:`sentinel.events.request_id` (which
reads ``X-Request-ID`` from the scope) and the app see the same value; it is also published in a
context variable for log records outside a request's scope, and echoed on the response unless the
app set its own.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar

from sentinel.events import REQUEST_ID_HEADER
from sentinel.types import ASGIApp, Message, Receive, Scope, Send

_VALID = re.compile(rb"[A-Za-z0-9._-]{1,64}").fullmatch
_CURRENT: ContextVar[str | None] = ContextVar("sentinel_request_id", default=None)


def new_request_id() -> str:
    """128 random bits as 32 hex characters."""
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    """The ID of the request being handled in this context, if ``RequestIdMiddleware`` runs."""
    return _CURRENT.get()


class RequestIdMiddleware:
    """Propagate or mint an ``X-Request-ID`` for each HTTP and WebSocket scope."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trust_incoming: bool = True,
        generator: Callable[[], str] = new_request_id,
    ) -> None:
        self.app = app
        self._trust = trust_incoming
        self._generate = generator

    def _choose(self, scope: Scope) -> bytes:
        headers = scope["headers"]
        incoming = None
        for name, value in headers:
            if name == REQUEST_ID_HEADER:
                incoming = value
                break
        if incoming is not None and self._trust and _VALID(incoming):
            return bytes(incoming)
        chosen = self._generate().encode("ascii")
        if _VALID(chosen) is None:
            raise ValueError("request ID generator must return 1-64 characters of A-Z a-z 0-9 . _ -")
        scope["headers"] = [(n, v) for n, v in headers if n != REQUEST_ID_HEADER]
        scope["headers"].append((REQUEST_ID_HEADER, chosen))
        return chosen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = self._choose(scope)
        token = _CURRENT.set(raw.decode("ascii"))

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == REQUEST_ID_HEADER for name, _ in headers):
                    headers.append((REQUEST_ID_HEADER, raw))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            _CURRENT.reset(token)


__all__ = ["RequestIdMiddleware", "current_request_id", "new_request_id"]
