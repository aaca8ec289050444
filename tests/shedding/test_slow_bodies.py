"""Slow request bodies in-process: the body deadline (408) and parking (no slot while waiting).

A Starlette app behind the middlewares, driven through ASGI with a ``receive`` the test controls, so
a body can stall, trickle or arrive at a chosen moment. The same attack over real HTTP, 500
connections against the example app, is ``tests/hostile/test_slow_clients.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sentinel.errors import ConfigurationError
from sentinel.request_body import declares_body
from sentinel.shedding import (
    BodyDeadline,
    BodyDeadlineMiddleware,
    LoadShedder,
    LoadSheddingMiddleware,
    SheddingPolicy,
)
from sentinel.types import ASGIApp, Message

BODY_HEADERS = [(b"content-length", b"10"), (b"content-type", b"text/plain")]


class Client:
    """One request's wire, as the test sees it: push body pieces, read what the app sent."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.sent: list[Message] = []
        self.receives = 0

    def push(self, body: bytes, *, more: bool = False) -> None:
        self.inbox.put_nowait({"type": "http.request", "body": body, "more_body": more})

    async def receive(self) -> Message:
        self.receives += 1
        return await self.inbox.get()

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int | None:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        return int(starts[0]["status"]) if starts else None

    def problem(self) -> dict[str, Any]:
        return dict(json.loads(b"".join(m.get("body", b"") for m in self.sent if "body" in m)))

    def header(self, name: bytes) -> bytes | None:
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        return next((v for k, v in start["headers"] if k == name), None)


def scope(method: str = "POST", headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": BODY_HEADERS if headers is None else headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }


def echo_app(seen: list[str], *routes: Route) -> Starlette:
    """``/`` reads the whole body (``await request.body()``) and echoes its length."""

    async def echo(request: Request) -> Response:
        try:
            body = await request.body()
        except ClientDisconnect:
            seen.append("disconnect")
            raise
        seen.append(f"body:{len(body)}")
        return PlainTextResponse(str(len(body)))

    return Starlette(routes=[Route("/", echo, methods=["GET", "POST"]), *routes])


def start(app: ASGIApp, client: Client, request_scope: dict[str, Any] | None = None) -> asyncio.Task[None]:
    return asyncio.create_task(app(request_scope or scope(), client.receive, client.send))


async def until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not predicate():
            await asyncio.sleep(0.005)


# -- the body deadline --------------------------------------------------------------------------


async def test_a_stalled_body_is_answered_408_naming_the_setting_and_the_app_sees_a_disconnect(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []
    app = BodyDeadlineMiddleware(echo_app(seen), timeout=0.2)
    client = Client()
    client.push(b"12345", more=True)  # half the announced body, then nothing
    with caplog.at_level(logging.WARNING, logger="sentinel.security"):
        await asyncio.wait_for(start(app, client), 5)
    assert client.status == 408
    assert client.header(b"content-type") == b"application/problem+json"
    assert client.header(b"connection") == b"close"  # uvicorn then closes the connection
    problem = client.problem()
    assert problem["type"] == "urn:sentinel:problem:body-timeout"
    assert "SENTINEL_BODY_TIMEOUT" in problem["detail"]
    assert seen == ["disconnect"]  # the app never got a truncated body
    # The app's own error answer (Starlette's 500 for the disconnect) never reached the client.
    assert [m["type"] for m in client.sent] == ["http.response.start", "http.response.body"]
    assert any("request.body_timeout" in r.getMessage() for r in caplog.records)


async def test_bytes_received_extend_the_deadline_at_min_rate() -> None:
    """0.3 s timeout, 100 B/s: 50 bytes every 0.2 s keeps ahead of it for 1.2 s; a stall does not."""
    seen: list[str] = []
    app = BodyDeadlineMiddleware(echo_app(seen), timeout=0.3, min_rate=100)
    client = Client()
    task = start(app, client, scope(headers=[(b"content-length", b"300")]))
    for _ in range(6):
        await asyncio.sleep(0.2)
        assert not task.done()
        client.push(b"x" * 50, more=True)
    client.push(b"", more=False)
    await asyncio.wait_for(task, 5)
    assert client.status == 200 and seen == ["body:300"]


async def test_bytes_sent_at_once_earn_no_more_than_the_cap() -> None:
    """A client that sends most of a large body at once and then stalls would earn one second per
    ``min_rate`` bytes (2,000 bytes at 1,000 B/s: 2.2 s here, hours for a 10 MiB body); the cap ends
    it at ``max_timeout`` (red-team finding)."""
    seen: list[str] = []
    app = BodyDeadlineMiddleware(echo_app(seen), timeout=0.2, min_rate=1000, max_timeout=0.4)
    client = Client()
    task = start(app, client, scope(headers=[(b"content-length", b"2001")]))
    client.push(b"x" * 2000, more=True)
    await asyncio.sleep(1.2)  # well past the 0.4 s cap, well before the 2.2 s it would have earned
    assert task.done() and client.status == 408
    assert "SENTINEL_BODY_MAX_TIMEOUT" in client.problem()["detail"]
    await task


def test_the_cap_defaults_to_two_minutes_or_the_timeout_and_is_validated() -> None:
    assert BodyDeadline().latest == 120.0
    assert BodyDeadline(timeout=300).latest == 300.0
    assert BodyDeadline.from_env({"SENTINEL_BODY_MAX_TIMEOUT": "30"}).latest == 30.0
    with pytest.raises(ConfigurationError, match="SENTINEL_BODY_MAX_TIMEOUT"):
        BodyDeadline(timeout=60, max_timeout=30)


async def test_the_deadline_stops_once_the_body_is_complete() -> None:
    """A streaming response may wait on receive for a disconnect as long as it likes."""
    outcome: list[str] = []

    async def app(request_scope: Any, receive: Any, send: Any) -> None:
        await receive()  # the whole body
        message = await receive()  # waits for the disconnect, past the deadline
        outcome.append(message["type"])

    client = Client()
    task = start(BodyDeadlineMiddleware(app, timeout=0.1), client)
    client.push(b"0123456789")
    await asyncio.sleep(0.3)
    assert not task.done() and client.sent == []
    client.inbox.put_nowait({"type": "http.disconnect"})
    await asyncio.wait_for(task, 5)
    assert outcome == ["http.disconnect"]


async def test_a_response_already_started_is_not_replaced_but_the_reader_is_released() -> None:
    outcome: list[str] = []

    async def app(request_scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        outcome.append((await receive())["type"])  # stalls
        await send({"type": "http.response.body", "body": b"partial"})

    client = Client()
    await asyncio.wait_for(start(BodyDeadlineMiddleware(app, timeout=0.1), client), 5)
    assert outcome == ["http.disconnect"]
    assert client.status == 200 and client.sent[-1]["body"] == b"partial"


@pytest.mark.parametrize(
    "headers",
    [[], [(b"content-length", b"0")], [(b"content-length", b"000")], [(b"content-type", b"application/xml")]],
)
async def test_requests_without_a_body_are_passed_the_servers_own_receive(
    headers: list[tuple[bytes, bytes]],
) -> None:
    received: list[object] = []

    async def app(request_scope: Any, receive: Any, send: Any) -> None:
        received.append(receive)

    client = Client()
    for middleware in (BodyDeadlineMiddleware(app), LoadSheddingMiddleware(app)):
        await middleware(scope("GET", headers), client.receive, client.send)
    assert received == [client.receive, client.receive]
    assert not declares_body(scope("GET", headers))


@pytest.mark.parametrize(
    ("version", "headers"),
    [
        ("1.1", [(b"content-length", b"10")]),
        ("1.1", [(b"transfer-encoding", b"chunked")]),
        ("1.0", [(b"content-length", b" 1 ")]),
        ("2", []),  # HTTP/2 frames bodies itself: the headers cannot say "no body"
    ],
)
def test_a_body_is_assumed_whenever_the_headers_allow_one(
    version: str, headers: list[tuple[bytes, bytes]]
) -> None:
    assert declares_body({**scope(headers=headers), "http_version": version})


def test_deadline_settings_are_validated_together_and_read_from_the_environment() -> None:
    with pytest.raises(ConfigurationError) as caught:
        BodyDeadline(timeout=0, min_rate=0)
    assert len(caught.value.problems) == 2
    assert all("SENTINEL_BODY_" in p for p in caught.value.problems)
    env = {"SENTINEL_BODY_TIMEOUT": "2.5", "SENTINEL_BODY_MIN_RATE": "1000"}
    assert BodyDeadline.from_env(env) == BodyDeadline(timeout=2.5, min_rate=1000)
    assert BodyDeadline.from_env({}) == BodyDeadline(timeout=10.0, min_rate=500)
    with pytest.raises(ConfigurationError, match="SENTINEL_BODY_TIMEOUT"):
        BodyDeadline.from_env({"SENTINEL_BODY_TIMEOUT": "soon"})
    with pytest.raises(ConfigurationError, match="deadline= or individual"):
        BodyDeadlineMiddleware(echo_app([]), deadline=BodyDeadline(), timeout=1)


# -- parking: a request waiting for its body holds no slot --------------------------------------


async def test_requests_waiting_for_their_body_hold_no_slot() -> None:
    """The issue's attack in miniature: with one slot, a stalled body used to shed everyone else."""
    seen: list[str] = []
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    app = LoadSheddingMiddleware(echo_app(seen), shedder=shedder)
    stalled = [Client() for _ in range(5)]
    tasks = [start(app, c) for c in stalled]
    await until(lambda: shedder.stats().parked == 5)
    assert shedder.stats().in_flight == 0

    probe = Client()
    probe.push(b"0123456789")
    await asyncio.wait_for(start(app, probe), 5)
    assert probe.status == 200 and seen == ["body:10"]

    for client in stalled:
        client.push(b"0123456789")
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert [c.status for c in stalled] == [200] * 5
    stats = shedder.stats()
    assert (stats.in_flight, stats.parked, stats.completed_total, stats.peak_in_flight) == (0, 0, 6, 1)


async def test_a_body_that_arrives_while_the_instance_is_full_is_shed() -> None:
    seen: list[str] = []
    release = asyncio.Event()

    async def busy(request: Request) -> Response:
        await release.wait()
        return PlainTextResponse("done")

    inner = echo_app(seen, Route("/busy", busy))
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    app = LoadSheddingMiddleware(inner, shedder=shedder)
    slow = Client()
    slow_task = start(app, slow)
    await until(lambda: shedder.stats().parked == 1)
    busy_client = Client()
    busy_task = start(app, busy_client, {**scope("GET", []), "path": "/busy", "raw_path": b"/busy"})
    await until(lambda: shedder.stats().in_flight == 1)

    slow.push(b"0123456789")
    await asyncio.wait_for(slow_task, 5)
    assert slow.status == 503 and slow.problem()["type"] == "urn:sentinel:problem:overloaded"
    assert seen == ["disconnect"]
    release.set()
    await asyncio.wait_for(busy_task, 5)
    assert busy_client.status == 200
    stats = shedder.stats()
    assert (stats.in_flight, stats.parked, stats.shed_full_total) == (0, 0, 1)


async def test_an_arriving_body_goes_to_the_head_of_the_queue() -> None:
    order: list[str] = []
    release = asyncio.Event()

    async def app(request_scope: Any, receive: Any, send: Any) -> None:
        if request_scope["method"] == "POST":
            await receive()
        else:
            await release.wait()
        order.append(request_scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    shedder = LoadShedder(SheddingPolicy(max_in_flight=1, max_queue=2, max_queue_wait=5))
    middleware = LoadSheddingMiddleware(app, shedder=shedder)
    poster = Client()
    poster_task = start(middleware, poster, {**scope(), "path": "/post"})
    await until(lambda: shedder.stats().parked == 1)
    holder, queued = Client(), Client()
    holder_task = start(middleware, holder, {**scope("GET", []), "path": "/holder"})
    await until(lambda: shedder.stats().in_flight == 1)
    queued_task = start(middleware, queued, {**scope("GET", []), "path": "/queued"})
    await until(lambda: shedder.stats().queued == 1)
    poster.push(b"0123456789")
    await until(lambda: shedder.stats().queued == 2)
    release.set()
    await asyncio.wait_for(asyncio.gather(poster_task, holder_task, queued_task), 5)
    assert order == ["/holder", "/post", "/queued"]
    assert shedder.stats().in_flight == 0 and shedder.stats().parked == 0


async def test_a_request_cancelled_while_parked_gives_back_nothing_twice() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=2))
    app = LoadSheddingMiddleware(echo_app([]), shedder=shedder)
    task = start(app, Client())
    await until(lambda: shedder.stats().parked == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stats = shedder.stats()
    assert (stats.in_flight, stats.parked, stats.completed_total) == (0, 0, 1)
    assert shedder.try_admit() and shedder.try_admit() and not shedder.try_admit()


def test_the_operations_page_example_runs_as_written() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    section = page.split("## Slow clients: the body deadline", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), "docs/operations.md", "exec"), namespace)  # noqa: S102 - our own docs
    assert isinstance(namespace["guarded"], BodyDeadlineMiddleware)
    assert namespace["guarded"].deadline == BodyDeadline()


async def test_a_request_whose_response_has_started_keeps_its_slot_while_it_waits() -> None:
    """Streaming a response is work: only a request that has not started answering is parked."""
    shedder = LoadShedder(SheddingPolicy(max_in_flight=2))
    waiting = asyncio.Event()

    async def app(request_scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        waiting.set()
        await receive()
        await send({"type": "http.response.body", "body": b"done"})

    client = Client()
    task = start(LoadSheddingMiddleware(app, shedder=shedder), client)
    await asyncio.wait_for(waiting.wait(), 5)
    await asyncio.sleep(0.01)
    assert (shedder.stats().in_flight, shedder.stats().parked) == (1, 0)
    client.push(b"0123456789")
    await asyncio.wait_for(task, 5)
    assert (shedder.stats().in_flight, shedder.stats().parked) == (0, 0)


def _reader_then_responder(order: list[str]) -> ASGIApp:
    """Reads the body in one task and, while that one waits, starts the response in another (as
    Starlette does when it listens for a disconnect while streaming)."""

    async def app(request_scope: Any, receive: Any, send: Any) -> None:
        reader = asyncio.create_task(receive())
        await asyncio.sleep(0.05)  # the reader is parked by now
        await send({"type": "http.response.start", "status": 200, "headers": []})
        order.append("started")
        await reader
        order.append("read")
        await send({"type": "http.response.body", "body": b"done"})

    return app


async def test_starting_the_response_takes_the_slot_back_once() -> None:
    order: list[str] = []
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    client = Client()
    task = start(LoadSheddingMiddleware(_reader_then_responder(order), shedder=shedder), client)
    await until(lambda: order == ["started"])
    assert (shedder.stats().in_flight, shedder.stats().parked) == (1, 0)
    client.push(b"0123456789")
    await asyncio.wait_for(task, 5)
    assert order == ["started", "read"] and client.status == 200
    stats = shedder.stats()
    assert (stats.in_flight, stats.parked, stats.peak_in_flight) == (0, 0, 1)


async def test_a_response_starting_while_the_instance_is_full_is_replaced_by_503() -> None:
    order: list[str] = []
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    client = Client()
    task = start(LoadSheddingMiddleware(_reader_then_responder(order), shedder=shedder), client)
    await until(lambda: shedder.stats().parked == 1)
    assert shedder.try_admit()  # someone else takes the only slot
    client.push(b"0123456789")
    await asyncio.wait_for(task, 5)
    assert client.status == 503 and client.problem()["type"] == "urn:sentinel:problem:overloaded"
    assert len(client.sent) == 2  # the app's own start and body were dropped
    shedder.release(queue_wait=0, processing=0)
    stats = shedder.stats()
    assert (stats.in_flight, stats.parked, stats.shed_full_total) == (0, 0, 1)
