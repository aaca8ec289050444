"""Read a request body once, and hand the app the same body again.

To find a token in a form, the middleware must read the body before the app does. ASGI bodies are
a one-shot stream, so the bytes read are replayed to the app as a single ``http.request`` message;
after that the app's ``receive`` is the server's own again (for ``http.disconnect``). Reading stops
at ``limit`` bytes: an unbounded buffer would be a memory attack. A client that disconnects before
the body is complete raises :class:`ClientDisconnected`: a truncated form must never reach the app
as if it were whole (``amount=1`` of ``amount=1000000``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sentinel.types import Message, Receive, Scope


class BodyTooLarge(Exception):
    """The body passed the buffering limit (internal: the middleware answers 413)."""


class ClientDisconnected(Exception):
    """The client went away mid-body (internal: the middleware drops the request)."""


@dataclass(frozen=True, kw_only=True)
class Buffered:
    body: bytes


def declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_body(receive: Receive, limit: int) -> Buffered:
    """The whole body, or :class:`BodyTooLarge` as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected("the client disconnected before the body was complete")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return Buffered(body=b"".join(chunks))


def replay(buffered: Buffered, receive: Receive) -> Receive:
    """A ``receive`` that yields the buffered body first, then defers to the server's."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": buffered.body, "more_body": False}
        return await receive()

    return replayed


__all__ = ["BodyTooLarge", "Buffered", "ClientDisconnected", "declared_length", "read_body", "replay"]
