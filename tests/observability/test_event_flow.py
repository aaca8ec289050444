"""One refused request followed end to end: response header, JSON log line, hashed session."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.csrf import CSRFMiddleware, csrf_token
from sentinel.events import LOGGER_NAME
from sentinel.keys import Secret
from sentinel.observability import JsonFormatter, RequestIdMiddleware
from sentinel.sessions import session_hash
from sentinel.sessions.ids import CookieSigner

KEY = "flow-test-key-" + "f" * 40


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


async def test_the_refusal_is_traceable_and_secret_free(log: io.StringIO) -> None:
    async def form(request: Request) -> Response:
        request.session["visited"] = True  # a stored session, so the event names its hash
        return JSONResponse({"token": csrf_token(request)})

    async def transfer(request: Request) -> Response:
        return JSONResponse({"ok": True})  # pragma: no cover - refused before

    app = Starlette(
        routes=[Route("/form", form), Route("/transfer", transfer, methods=["POST"])],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(sentinel.SessionMiddleware, secret_keys=[KEY]),
            Middleware(CSRFMiddleware, secret_keys=[KEY]),
        ],
    )
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 999))
    async with httpx.AsyncClient(transport=transport, base_url="https://shop") as client:
        first = await client.get("/form")
        token = first.json()["token"]
        pre, cookie = (c.split(";", 1)[0] for c in first.headers.get_list("set-cookie"))
        assert pre.startswith("__Host-sentinel-pre=") and cookie.startswith("__Host-sid=")
        response = await client.post(
            "/transfer",
            data={"amount": "5", "csrf_token": token},
            headers={
                "cookie": f"{pre}; {cookie}",
                "origin": "https://evil.example",
                "sec-fetch-site": "cross-site",
            },
        )
    assert response.status_code == 403
    (line,) = log.getvalue().splitlines()
    doc = json.loads(line)
    raw_id = CookieSigner([Secret(KEY)]).unsign(cookie.split("=", 1)[1])
    assert raw_id is not None
    assert doc["event"] == "csrf.refused" and doc["level"] == "WARNING"
    assert doc["request_id"] == response.headers["x-request-id"]
    assert doc["session"] == session_hash(raw_id)
    assert doc["client_ip"] == "192.0.2.10" and doc["path"] == "/transfer"
    assert doc["reason"] == "cross-site" and doc["method"] == "POST"
    assert raw_id not in line and token not in line and cookie.split("=", 1)[1] not in line
    assert pre.split("=", 1)[1] not in line
