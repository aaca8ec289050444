"""Small inline apps for the XML guard tests (starlette's tests build apps the same way)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sentinel.types import Message
from sentinel.xml import XMLGuardMiddleware


@dataclass
class Recorder:
    """What the app behind the guard saw."""

    bodies: list[bytes] = field(default_factory=list)

    @property
    def called(self) -> bool:
        return bool(self.bodies)


def echo_app(recorder: Recorder, **guard: Any) -> Starlette:
    """POST / answers the length and SHA-256 of the body the app received."""

    async def echo(request: Request) -> Response:
        body = await request.body()
        recorder.bodies.append(body)
        return JSONResponse({"length": len(body), "sha256": hashlib.sha256(body).hexdigest()})

    return Starlette(
        routes=[Route("/", echo, methods=["POST"])], middleware=[Middleware(XMLGuardMiddleware, **guard)]
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


Receive = Callable[[], Awaitable[Message]]


def scripted_receive(messages: list[Message], log: list[str]) -> Receive:
    """A server ``receive`` that returns ``messages`` in order, then ``http.disconnect``."""
    pending = list(messages)

    async def receive() -> Message:
        log.append("receive")
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    return receive


def http_scope(headers: list[tuple[bytes, bytes]], *, body: bool = True) -> dict[str, Any]:
    """A POST scope. With ``body`` and no Content-Length it says ``Transfer-Encoding: chunked``, as a
    real HTTP/1.1 request with a body must: the guard never waits for a body the headers deny."""
    if body and not any(name in (b"content-length", b"transfer-encoding") for name, _ in headers):
        headers = [*headers, (b"transfer-encoding", b"chunked")]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
