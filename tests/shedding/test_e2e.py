"""Overload over real HTTP: 50 concurrent requests against a limit of 5, on uvicorn at 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.support.servers import serve

pytestmark = pytest.mark.e2e

REQUESTS = 50
LIMIT = 5
#: Generous bound for "answered at once" on a loaded 2-core box; held requests take unbounded time
#: (they wait for /release), so any shed answer arriving at all while they are held is the real proof.
SHED_WITHIN_S = 5.0


async def _timed(client: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await client.get(path)
    return response, time.monotonic() - started


async def _wait_until(predicate: object, deadline_s: float = 20.0) -> None:
    deadline = time.monotonic() + deadline_s
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def test_overload_sheds_at_once_while_admitted_work_completes() -> None:
    env = {"SHED_TEST_LIMIT": str(LIMIT), "SENTINEL_COMMIT": "abc123"}
    with serve("tests.shedding.slow_app:app", env=env, ready_path="/stats") as base:
        limits = httpx.Limits(max_connections=REQUESTS + 10, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, timeout=40, limits=limits) as client:
            tasks = [asyncio.create_task(_timed(client, "/hold")) for _ in range(REQUESTS)]
            await _wait_until(lambda: sum(t.done() for t in tasks) >= REQUESTS - LIMIT)
            shed = [t.result() for t in tasks if t.done()]
            held = [t for t in tasks if not t.done()]

            # Every answer so far is a 503 that arrived while the admitted requests were still held.
            assert len(shed) == REQUESTS - LIMIT and len(held) == LIMIT
            for response, elapsed in shed:
                assert response.status_code == 503
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["retry-after"] == "1"
                assert response.json()["type"] == "urn:sentinel:problem:overloaded"
                assert elapsed < SHED_WITHIN_S

            # The exempt health path still answers, and says the instance is full.
            health = await client.get("/healthz")
            assert health.status_code == 503
            doc = health.json()
            assert doc["status"] == "overloaded" and doc["accepting_work"] is False
            assert doc["load"]["in_flight"] == LIMIT
            assert doc["load"]["shed_total"]["full"] == REQUESTS - LIMIT
            assert doc["address"] == "127.0.0.1" and doc["app"]["commit"] == "abc123"

            assert (await client.post("/release")).status_code == 200
            finished = await asyncio.gather(*held)
            assert [r.status_code for r, _ in finished] == [200] * LIMIT
            assert all(r.text == "done" for r, _ in finished)

            stats = (await client.get("/stats")).json()
            assert stats["in_flight"] == 0
            assert stats["completed_total"] == LIMIT
            assert stats["residence"]["count"] == LIMIT
            # Back under the limit, the instance accepts work again.
            assert (await client.get("/hold")).status_code == 200
