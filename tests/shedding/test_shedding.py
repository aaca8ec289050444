"""LoadShedder and LoadSheddingMiddleware in-process: queueing, deadlines, cancellation, stats, events."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sentinel.errors import ConfigurationError
from sentinel.shedding import (
    BRIEF_QUEUE,
    FAIL_FAST,
    LatencyHistogram,
    LoadShedder,
    LoadSheddingMiddleware,
    Overloaded,
    PathMatcher,
    SheddingPolicy,
)


@dataclass
class Gate:
    entered: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)


def build(shedder: LoadShedder, gate: Gate) -> httpx.AsyncClient:
    async def hold(request: Request) -> Response:
        gate.entered += 1
        await asyncio.wait_for(gate.release.wait(), 10)
        return PlainTextResponse("done")

    async def health(request: Request) -> Response:
        return PlainTextResponse("alive")

    app = Starlette(
        routes=[Route("/hold", hold), Route("/health", health)],
        middleware=[Middleware(LoadSheddingMiddleware, shedder=shedder, exempt_paths=["/health"])],
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def until(predicate: object) -> None:
    async with asyncio.timeout(10):
        while not predicate():  # type: ignore[operator]
            await asyncio.sleep(0.005)


async def test_queued_request_gets_the_freed_slot_and_overflow_is_shed_at_once() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1, max_queue=1, max_queue_wait=10))
    gate = Gate()
    async with build(shedder, gate) as client:
        first = asyncio.create_task(client.get("/hold"))
        await until(lambda: gate.entered == 1)
        second = asyncio.create_task(client.get("/hold"))
        await until(lambda: shedder.stats().queued == 1)
        third = await client.get("/hold")  # queue full: shed without waiting for anyone
        assert third.status_code == 503 and third.headers["retry-after"] == "1"
        assert (await client.get("/health")).text == "alive"  # exempt even while full
        gate.release.set()
        assert [(await first).status_code, (await second).status_code] == [200, 200]
    stats = shedder.stats()
    assert (stats.in_flight, stats.queued, stats.admitted_total, stats.queued_total) == (0, 0, 2, 1)
    assert (stats.shed_full_total, stats.shed_queue_timeout_total, stats.completed_total) == (1, 0, 2)


async def test_queued_request_is_shed_when_its_deadline_passes() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1, max_queue=4, max_queue_wait=0.05))
    gate = Gate()
    async with build(shedder, gate) as client:
        first = asyncio.create_task(client.get("/hold"))
        await until(lambda: gate.entered == 1)
        late = await client.get("/hold")
        assert late.status_code == 503
        assert late.json()["type"] == "urn:sentinel:problem:overloaded"
        assert shedder.stats().queued == 0  # the timed-out waiter left the queue
        gate.release.set()
        assert (await first).status_code == 200
    assert shedder.stats().shed_queue_timeout_total == 1
    assert gate.entered == 1  # the shed request never reached the app


async def test_a_cancelled_waiter_does_not_leak_its_slot() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1, max_queue=2, max_queue_wait=10))
    assert shedder.try_admit()
    waiter = asyncio.create_task(shedder.wait_for_slot())
    await until(lambda: shedder.stats().queued == 1)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert shedder.stats().queued == 0
    shedder.release(queue_wait=0, processing=0)
    assert shedder.stats().in_flight == 0
    assert shedder.try_admit()


async def test_a_slot_handed_to_a_waiter_cancelled_at_that_moment_is_passed_on() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1, max_queue=2, max_queue_wait=10))
    assert shedder.try_admit()
    doomed = asyncio.create_task(shedder.wait_for_slot())
    await until(lambda: shedder.stats().queued == 1)
    heir = asyncio.create_task(shedder.wait_for_slot())
    await until(lambda: shedder.stats().queued == 2)
    shedder.release(queue_wait=0, processing=0)  # hands the slot to ``doomed``...
    doomed.cancel()  # ...which is cancelled before it could run
    with pytest.raises(asyncio.CancelledError):
        await doomed
    await asyncio.wait_for(heir, 5)  # the slot went on to the next waiter
    assert shedder.stats().in_flight == 1
    shedder.release(queue_wait=0, processing=0)
    assert shedder.stats().in_flight == 0


async def test_slot_context_manager_bounds_any_coroutine() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    async with shedder.slot():
        with pytest.raises(Overloaded) as refused:
            async with shedder.slot():
                pass  # pragma: no cover - never admitted
        assert refused.value.reason == "full" and refused.value.retry_after == 1
    assert shedder.stats().in_flight == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_shedding_start_and_stop_are_logged_once_per_episode(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1, recovery_after=5), clock=clock)
    caplog.set_level(logging.INFO, logger="sentinel.security")
    assert shedder.try_admit()
    for _ in range(3):
        with pytest.raises(Overloaded):
            await shedder.wait_for_slot()
    started = [r for r in caplog.records if r.sentinel["event"] == "load.shedding_started"]  # type: ignore[attr-defined]
    assert len(started) == 1 and started[0].levelno == logging.WARNING
    assert shedder.stats().shedding and not shedder.stats().accepting
    shedder.release(queue_wait=0, processing=1)
    clock.now += 6
    assert shedder.try_admit()
    stopped = [r for r in caplog.records if r.sentinel["event"] == "load.shedding_stopped"]  # type: ignore[attr-defined]
    assert len(stopped) == 1 and stopped[0].levelno == logging.INFO
    assert stopped[0].sentinel["shed"] == 3  # type: ignore[attr-defined]
    assert not shedder.stats().shedding


async def test_residence_is_queue_wait_plus_processing() -> None:
    shedder = LoadShedder(FAIL_FAST)
    assert shedder.try_admit()
    shedder.release(queue_wait=0.002, processing=0.3)
    stats = shedder.stats()
    assert stats.queue_wait.count == stats.processing.count == stats.residence.count == 1
    assert stats.residence.sum == pytest.approx(0.302)
    doc = stats.residence.as_dict()
    assert doc["buckets"]["0.25"] == 0 and doc["buckets"]["0.5"] == 1 and doc["buckets"]["+Inf"] == 1


def test_histogram_buckets_are_cumulative_with_le_semantics() -> None:
    histogram = LatencyHistogram((0.1, 1.0))
    for value in (0.1, 0.5, 2.0):
        histogram.observe(value)
    snap = histogram.snapshot()
    assert snap.cumulative == (1, 2, 3) and snap.count == 3
    with pytest.raises(ValueError):
        LatencyHistogram((1.0, 0.5))


def test_policy_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigurationError) as error:
        SheddingPolicy(max_in_flight=0, max_queue=5, retry_after=0)
    assert len(error.value.problems) == 3  # in-flight, queue without deadline, retry_after
    assert BRIEF_QUEUE.max_queue > 0 and BRIEF_QUEUE.max_queue_wait > 0


def test_middleware_takes_one_way_of_configuring() -> None:
    async def app(scope: object, receive: object, send: object) -> None:  # pragma: no cover
        pass

    with pytest.raises(ConfigurationError):
        LoadSheddingMiddleware(app, policy=FAIL_FAST, max_in_flight=3)  # type: ignore[arg-type]
    middleware = LoadSheddingMiddleware(app, max_in_flight=3)  # type: ignore[arg-type]
    assert middleware.shedder.policy.max_in_flight == 3


def test_exempt_paths_match_exactly_or_by_prefix_and_never_through_dot_segments() -> None:
    exempt = PathMatcher(["/health", "/hooks/*"])
    assert exempt("/health") and exempt("/hooks/github")
    assert not exempt("/health/x") and not exempt("/healthz") and not exempt("/hook")
    assert not exempt("/hooks/../admin") and not exempt("/hooks//x") and not exempt("/hooks/./x")
    assert not PathMatcher([])
    with pytest.raises(ConfigurationError):
        PathMatcher(["health"])
    with pytest.raises(ConfigurationError):
        PathMatcher(["/a/../b"])


async def test_non_http_scopes_pass_through_untouched() -> None:
    seen: list[str] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    assert shedder.try_admit()  # full
    middleware = LoadSheddingMiddleware(app, shedder=shedder)  # type: ignore[arg-type]
    await middleware({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    await middleware({"type": "websocket", "path": "/ws"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan", "websocket"]


def test_policy_from_the_environment() -> None:
    env = {"SENTINEL_MAX_IN_FLIGHT": "12", "SENTINEL_MAX_QUEUE": "4", "SENTINEL_MAX_QUEUE_WAIT": "0.2"}
    policy = SheddingPolicy.from_env(env, retry_after=3)
    assert (policy.max_in_flight, policy.max_queue, policy.max_queue_wait, policy.retry_after) == (
        12,
        4,
        0.2,
        3,
    )
    assert SheddingPolicy.from_env({}) == FAIL_FAST
    with pytest.raises(ConfigurationError, match="SENTINEL_MAX_IN_FLIGHT"):
        SheddingPolicy.from_env({"SENTINEL_MAX_IN_FLIGHT": "lots"})
    with pytest.raises(ConfigurationError, match="max_queue and max_queue_wait"):
        SheddingPolicy.from_env({"SENTINEL_MAX_QUEUE": "4"})
