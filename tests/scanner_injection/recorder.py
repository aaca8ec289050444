"""The example apps wrapped in a recorder: every request they receive is appended, as one JSON line,
to the file named by ``SENTINEL_TEST_RECORD``. Served by uvicorn in the end-to-end fixtures, so the
safety tests can inspect exactly what went over the wire."""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from examples import bait as bait_app
from examples import vulnerable_injection
from sentinel.types import ASGIApp, Message, Receive, Scope, Send

_LOCK = threading.Lock()


class Recorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        _write(scope, body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _write(scope: Scope, body: bytes) -> None:
    path = os.environ.get("SENTINEL_TEST_RECORD")
    if not path:
        return
    headers: dict[str, Any] = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    line = json.dumps(
        {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode("latin-1"),
            "headers": headers,
            "body": body.decode("utf-8", "replace"),
        }
    )
    with _LOCK, open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")


vulnerable = Recorder(vulnerable_injection.app)
bait = Recorder(bait_app.app)
