"""The HTTP engine: scope guard, budget, retries with Retry-After, timeouts, body cap, rate spacing."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from scanner.config import LOOPBACK_LIMITS, Limits
from scanner.errors import BudgetExhausted, OutOfScope, RequestFailed
from scanner.http import HttpEngine
from scanner.http.pacing import RateLimiter, backoff_delay, retry_after_seconds
from scanner.scope import ScopeGuard, is_loopback_host, origin_of

seen: list[str] = []


def _app() -> Starlette:
    calls = {"n": 0}

    async def busy(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] <= 2:
            return PlainTextResponse("slow down", status_code=429, headers={"retry-after": "0"})
        return PlainTextResponse("ok")

    async def forever(request: Request) -> Response:
        return PlainTextResponse("no", status_code=503, headers={"retry-after": "3600"})

    async def away(request: Request) -> Response:
        return RedirectResponse("http://elsewhere.example/steal", status_code=302)

    async def slow(request: Request) -> Response:
        await asyncio.sleep(5)
        return PlainTextResponse("late")

    async def big(request: Request) -> Response:
        return PlainTextResponse("x" * 100_000)

    async def record(request: Request) -> Response:
        seen.append(str(request.url))
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/busy", busy),
            Route("/forever", forever),
            Route("/away", away),
            Route("/slow", slow),
            Route("/big", big),
            Route("/{path:path}", record),
        ]
    )


def engine(**limits: object) -> HttpEngine:
    return HttpEngine(
        replace(LOOPBACK_LIMITS, **limits),  # type: ignore[arg-type]
        ScopeGuard("http://t/"),
        transport=httpx.ASGITransport(app=_app()),
    )


async def test_retries_429_honouring_retry_after() -> None:
    e = engine(max_retries=2)
    async with e.probe("p") as probe:
        answer = await probe.get("http://t/busy")
    assert answer.status == 200
    assert (e.stats.requests, e.stats.retries, e.stats.throttled) == (3, 2, 2)


async def test_no_retry_when_asked_not_to() -> None:
    e = engine()
    async with e.probe("p") as probe:
        answer = await probe.get("http://t/busy", retry=False)
    assert answer.status == 429 and e.stats.requests == 1


async def test_a_retry_after_beyond_the_bound_is_not_waited_for() -> None:
    e = engine(max_retry_wait=2.0)
    async with e.probe("p") as probe:
        answer = await probe.get("http://t/forever")
    assert answer.status == 503 and e.stats.requests == 1
    assert any("Retry-After of 3600 s" in n for n in e.notes)


async def test_redirects_off_scope_are_refused_not_followed() -> None:
    e = engine()
    async with e.probe("p") as probe:
        answer = await probe.get("http://t/away", follow_redirects=True)
        with pytest.raises(OutOfScope):
            await probe.get("http://elsewhere.example/")
    assert answer.status == 302
    assert [x.url for x in e.log] == ["http://t/away"]
    assert any("redirect off scope was refused" in n for n in e.notes)


async def test_every_request_has_a_timeout() -> None:
    e = engine(timeout=0.2, max_retries=0)
    async with e.probe("p") as probe:
        with pytest.raises(RequestFailed, match="timed out"):
            await probe.get("http://t/slow")


async def test_budget_is_enforced_before_sending() -> None:
    seen.clear()
    e = engine(max_requests=2)
    async with e.probe("p") as probe:
        await probe.get("http://t/a")
        await probe.get("http://t/b")
        with pytest.raises(BudgetExhausted):
            await probe.get("http://t/c")
    assert seen == ["http://t/a", "http://t/b"]


async def test_bodies_are_capped() -> None:
    e = engine(max_body_bytes=1000)
    async with e.probe("p") as probe:
        answer = await probe.get("http://t/big")
    assert len(answer.body) == 1000


async def test_rate_limiter_spaces_starts_on_a_shared_schedule() -> None:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    limiter = RateLimiter(10.0, clock=lambda: 100.0, sleep=sleep)  # the clock stands still
    await asyncio.gather(*(limiter.wait() for _ in range(4)))
    assert slept == pytest.approx([0.1, 0.2, 0.3])


def test_retry_after_parsing_and_backoff() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None
    assert backoff_delay(0, 3.0, base=0.5, bound=5.0) == 3.0
    assert backoff_delay(0, 30.0, base=0.5, bound=5.0) is None
    assert backoff_delay(3, None, base=0.5, bound=2.0) == 2.0


def test_scope_and_loopback() -> None:
    assert origin_of("HTTP://Example.com:80/x") == ("http", "example.com", 80)
    assert origin_of("ftp://x/") is None
    guard = ScopeGuard("http://127.0.0.1:8000/")
    assert guard.allows("http://127.0.0.1:8000/a?b")
    assert not guard.allows("http://127.0.0.1:8001/")
    assert not guard.allows("https://127.0.0.1:8000/")
    assert guard.resolve("javascript:alert(1)") is None
    assert guard.resolve("/a#frag") == "http://127.0.0.1:8000/a"
    assert all(is_loopback_host(h) for h in ("localhost", "127.1.2.3", "[::1]", "app.localhost"))
    assert not is_loopback_host("10.0.0.1")


def test_limits_are_validated() -> None:
    assert Limits(max_rps=0).problems()
    assert not Limits().problems()


def test_redactor_masks_cookies_auth_and_password_fields() -> None:
    from scanner.http import Exchange
    from scanner.redact import Redactor

    redactor = Redactor()
    redactor.add_session_id("0123456789abcdef")
    redactor.add_secret("correct horse")
    exchange = Exchange(
        probe="p",
        crafted=False,
        method="POST",
        url="http://t/x?ref=0123456789abcdef",
        request_headers=(("cookie", "sid=0123456789abcdef; theme=dark"), ("authorization", "Bearer abc.def")),
        request_body=b"user=alice&pw=correct+horse&token=t0k&note=correct horse",
        status=200,
        response_headers=(("set-cookie", "sid=0123456789abcdef; Path=/; HttpOnly"),),
        body=b'{"password": "hunter2", "next": "/x?ref=0123456789abcdef"}',
        elapsed=0.0,
    )
    text = redactor.request(exchange) + redactor.response(exchange)
    for secret in ("0123456789abcdef", "abc.def", "t0k", "hunter2", "correct horse"):
        assert secret not in text
    assert "?ref=[session-id]" in text and "Path=/; HttpOnly" in text and "Bearer [redacted]" in text
