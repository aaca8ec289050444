"""The body deadline in sentinel.protect(): on by default, set from the environment, off only loudly,
and placed so the 408 carries the request ID and security headers and frees the shedder's slot."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.settings import SentinelSettings
from sentinel.shedding import BodyDeadline
from sentinel.types import Message
from tests.sessions.conftest import KEY


def test_the_deadline_is_on_by_default_and_read_from_the_environment() -> None:
    assert SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": KEY}).body_deadline == BodyDeadline()
    env = {"SENTINEL_SECRET_KEYS": KEY, "SENTINEL_BODY_TIMEOUT": "3", "SENTINEL_BODY_MIN_RATE": "2000"}
    assert SentinelSettings.from_env(env).body_deadline == BodyDeadline(timeout=3, min_rate=2000)


def test_a_malformed_deadline_is_reported_with_the_other_problems() -> None:
    env = {"SENTINEL_BODY_TIMEOUT": "-1", "SENTINEL_BODY_MIN_RATE": "fast"}
    with pytest.raises(sentinel.ConfigurationError) as info:
        SentinelSettings.from_env(env)
    text = " ".join(info.value.problems)
    assert "SENTINEL_BODY_MIN_RATE" in text and "SENTINEL_SECRET_KEYS" in text


def test_turning_the_deadline_off_warns_loudly() -> None:
    with pytest.warns(sentinel.SentinelUnsafeWarning, match="body_deadline guard is OFF"):
        settings = SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": KEY, "SENTINEL_BODY_TIMEOUT": "off"})
    assert settings.body_deadline is None


async def test_a_stalled_post_behind_protect_gets_408_with_headers_and_frees_its_slot() -> None:
    async def echo(request: Request) -> Response:
        return PlainTextResponse(str(len(await request.body())))

    app = Starlette(routes=[Route("/", echo, methods=["POST"])])
    with pytest.warns(sentinel.SentinelUnsafeWarning):  # CSRF off: this POST must reach the app
        protected = sentinel.protect(
            app, secret_keys=[KEY], body_deadline=BodyDeadline(timeout=0.2), csrf=None
        )
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    inbox.put_nowait({"type": "http.request", "body": b"12", "more_body": True})
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"shop.test"), (b"content-length", b"10")],
        "client": ("127.0.0.1", 5000),
        "server": ("shop.test", 443),
    }
    await asyncio.wait_for(protected(scope, inbox.get, send), 5)
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 408
    assert headers[b"connection"] == b"close"
    assert b"x-request-id" in headers and b"x-content-type-options" in headers
    assert protected.shedder is not None
    stats = protected.shedder.stats()
    assert (stats.in_flight, stats.parked, stats.completed_total) == (0, 0, 1)
