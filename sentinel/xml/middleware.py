"""``XMLGuardMiddleware``: XML request bodies are checked before the app's parser ever sees them.

Per request: a request whose headers show no body (:func:`sentinel.request_body.declares_body`)
passes untouched, without a read. Otherwise read what the headers say; if the body is XML (by
Content-Type, or because it starts like XML) stream it through
:class:`~sentinel.xml.inspector.XMLInspector` under the size cap; refuse with an RFC 9457 problem
(413 beyond the cap, 415 for a compressed body, 400 naming the reason for everything else) and a
security event; otherwise hand the app the unchanged body by replaying the messages read, after
which ``receive`` is the server's own again (so ``http.disconnect`` still arrives). A body that
turns out not to be XML streams on without being held.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from sentinel.errors import ConfigurationError
from sentinel.events import security_event
from sentinel.problem import Problem, send_problem
from sentinel.request_body import declares_body
from sentinel.types import ASGIApp, Message, Receive, Scope, Send
from sentinel.xml.content import describe
from sentinel.xml.errors import MalformedXML, TooLarge, XMLError
from sentinel.xml.screen import BodyScreen, ClientDisconnected, ContentEncodingRefused
from sentinel.xml.settings import XMLGuardSettings

ENCODED_PROBLEM = Problem(
    status=415,
    slug="xml-content-encoding-unsupported",
    title="Compressed XML body",
    detail="XML request bodies must be sent without Content-Encoding so they can be inspected.",
)


def problem_for(exc: XMLError) -> Problem:
    """The answer to a refused body: 413 for size, 400 for everything else, typed by reason."""
    return Problem(
        status=413 if isinstance(exc, TooLarge) else 400,
        slug=exc.reason,
        title=exc.title,
        detail=f"The XML in this request was refused: {exc}.",
    )


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that returns ``messages`` first, then defers to the server's ``receive``."""
    pending = deque(messages)

    async def replaying() -> Message:
        if pending:
            return pending.popleft()
        return await receive()

    return replaying


class XMLGuardMiddleware:
    """Refuse XML bodies with DTDs, entities, external references, XInclude, or over the limits.

    ``Middleware(XMLGuardMiddleware)`` in Starlette, or ``XMLGuardMiddleware(app)`` directly. Every
    keyword is an :class:`~sentinel.xml.XMLGuardSettings` field, or pass ``settings=`` whole.
    """

    def __init__(self, app: ASGIApp, /, *, settings: XMLGuardSettings | None = None, **options: Any) -> None:
        if settings is not None and options:
            raise ConfigurationError(["pass settings= or individual options, not both"])
        self.app = app
        self.settings = settings or XMLGuardSettings(**options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not declares_body(scope):
            # No body to inspect, and nothing to wait for: a GET with Content-Type: application/xml
            # and no Content-Length costs nothing, and a stalled one is never waited on here.
            await self.app(scope, receive, send)
            return
        settings = self.settings
        screen: BodyScreen | None = None
        # Only the guard's own work is inside the try: an XMLError the app raises is the app's.
        try:
            info = describe(
                scope.get("headers", ()),
                extra_xml_types=settings.extra_xml_types,
                sniff_exempt_types=settings.sniff_exempt_types,
            )
            screen = BodyScreen(info, settings)
            messages = await screen.run(receive) if screen.needed else None
        except ClientDisconnected:
            return
        except ContentEncodingRefused:
            security_event("xml.refused", outcome="refused", scope=scope, reason=ENCODED_PROBLEM.slug)
            await send_problem(send, ENCODED_PROBLEM, scope)
            return
        except XMLError as exc:
            where = screen.where if screen is not None else "headers"
            level = logging.INFO if isinstance(exc, MalformedXML) else logging.WARNING
            security_event(
                "xml.refused", outcome="refused", level=level, scope=scope, reason=exc.reason, where=where
            )
            await send_problem(send, problem_for(exc), scope)
            return
        await self.app(scope, receive if messages is None else replay(messages, receive), send)


__all__ = ["ENCODED_PROBLEM", "XMLGuardMiddleware", "problem_for", "replay"]
