"""Per-request session overhead, by a direct ASGI call loop (no network, no server).

Apps: bare Starlette; Starlette's cookie ``SessionMiddleware``; starsessions with its memory store;
Sentinel with ``MemoryStore``; Sentinel with ``RedisStore`` (the local Redis, skipped if absent).
Cases: the session untouched (no cookie, the handler never looks), and a read+write (cookie present,
the handler increments a counter). Overhead = time per request minus bare Starlette's, same run.
Also: ``MemoryStore`` write cost with 0, 10k and 100k live sessions (garbage collection paused while
timing, as ``timeit`` does, so a collection of the live objects is not charged to one write).
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware as StarletteSessions
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sentinel

KEY = "bench-only-key-" + "x" * 40
REDIS_URL = os.environ.get("SENTINEL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ITERATIONS = 4000
ROUNDS = 7

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def make_app(middleware: list[Middleware], *, explicit_load: bool = False) -> Starlette:
    async def untouched(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def read_write(request: Request) -> Response:
        if explicit_load:
            from starsessions import load_session

            await load_session(request)
        session = request.session if "session" in request.scope else {}  # bare Starlette has none
        session["n"] = int(session.get("n", 0)) + 1
        return PlainTextResponse("ok")

    routes = [Route("/untouched", untouched), Route("/rw", read_write, methods=["GET"])]
    return Starlette(routes=routes, middleware=middleware)


def scope_for(path: str, cookie: str | None) -> dict[str, Any]:
    headers = [(b"host", b"bench"), (b"user-agent", b"bench")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "https", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1234), "server": ("bench", 443),
    }  # fmt: skip


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


class Capture:
    def __init__(self) -> None:
        self.cookie: str | None = None
        self.status = 0

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            for name, value in message["headers"]:
                if name == b"set-cookie":
                    self.cookie = value.decode().split(";", 1)[0]


async def per_request_us(app: ASGI, path: str, cookie: str | None) -> float:
    """Median over rounds of the mean time per request, in microseconds."""
    sink = Capture()
    results = []
    for _ in range(ROUNDS):
        started = time.perf_counter_ns()
        for _ in range(ITERATIONS):
            await app(scope_for(path, cookie), _receive, sink)
        results.append((time.perf_counter_ns() - started) / ITERATIONS / 1000)
        if sink.status != 200:
            raise RuntimeError(f"{path} answered {sink.status}")
    return statistics.median(results)


async def first_cookie(app: ASGI) -> str | None:
    sink = Capture()
    await app(scope_for("/rw", None), _receive, sink)
    return sink.cookie


async def candidates() -> dict[str, ASGI]:
    from starsessions import InMemoryStore
    from starsessions import SessionMiddleware as StarSessions

    ours = sentinel.SessionMiddleware
    apps: dict[str, ASGI] = {
        "bare Starlette": make_app([]),
        "starlette SessionMiddleware": make_app(
            [Middleware(StarletteSessions, secret_key=KEY, https_only=True)]
        ),
        "starsessions (memory)": make_app(
            [Middleware(StarSessions, store=InMemoryStore())], explicit_load=True
        ),
        "sentinel MemoryStore": make_app([Middleware(ours, secret_keys=[KEY])]),
    }
    store = sentinel.RedisStore(REDIS_URL, prefix="sentinel-bench:")
    try:
        await store.load("ping")
    except sentinel.StoreUnavailable:
        return apps
    apps["sentinel RedisStore"] = make_app([Middleware(ours, secret_keys=[KEY], store=store)])
    return apps


async def memory_write_cost() -> dict[int, tuple[float, float]]:
    """µs per create and per update with N live sessions already stored."""
    out: dict[int, tuple[float, float]] = {}
    value = '1\n[0,0,null,null]\n{"n":1}'
    for live in (0, 10_000, 100_000):
        store = sentinel.MemoryStore(max_sessions=live + 50_000)
        for i in range(live):
            await store.create(f"live{i}", value, ttl=1800, user_id=None)
        n = 20_000
        gc.collect()
        gc.disable()  # as timeit does: a collection of the 100k live objects is not a write's cost
        started = time.perf_counter_ns()
        for i in range(n):
            await store.create(f"new{i}", value, ttl=1800, user_id=None)
        create_us = (time.perf_counter_ns() - started) / n / 1000
        started = time.perf_counter_ns()
        for i in range(n):
            await store.update(f"new{i}", value, ttl=1800)
        update_us = (time.perf_counter_ns() - started) / n / 1000
        gc.enable()
        out[live] = (create_us, update_us)
    return out


async def measure() -> str:
    apps = await candidates()
    rows: dict[str, dict[str, float]] = {}
    for name, app in apps.items():
        cookie = await first_cookie(app)
        rows[name] = {
            "untouched": await per_request_us(app, "/untouched", None),
            "rw": await per_request_us(app, "/rw", cookie),
        }
    bare = rows["bare Starlette"]
    lines = [
        "## Sessions: per-request overhead",
        "",
        f"Direct ASGI call loop, {ITERATIONS} requests x {ROUNDS} rounds (median of rounds). "
        "Overhead = time minus bare Starlette in the same run.",
        "",
        "| app | untouched µs/req | overhead | read+write µs/req | overhead |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['untouched']:.1f} | {r['untouched'] - bare['untouched']:+.1f} "
            f"| {r['rw']:.1f} | {r['rw'] - bare['rw']:+.1f} |"
        )
    star = rows["starsessions (memory)"]["rw"] - bare["rw"]
    ours = rows["sentinel MemoryStore"]["rw"] - bare["rw"]
    untouched = rows["sentinel MemoryStore"]["untouched"] - bare["untouched"]
    lines += [
        "",
        f"- Read+write overhead, sentinel MemoryStore / starsessions: **{ours / star:.2f}x** "
        "(target <= 0.7x).",
        f"- Untouched-session overhead of sentinel over bare Starlette: **{untouched:.2f} µs** "
        "(target about 2 µs).",
    ]
    if "sentinel RedisStore" not in rows:
        lines.append("- sentinel RedisStore: skipped (no Redis at " + REDIS_URL + ").")
    costs = await memory_write_cost()
    lines += [
        "",
        "### MemoryStore write cost against live sessions",
        "",
        "| live sessions | create µs | update µs | create vs 0 live |",
        "|---:|---:|---:|---:|",
    ]
    base_create = costs[0][0]
    for live, (create_us, update_us) in costs.items():
        lines.append(f"| {live:,} | {create_us:.2f} | {update_us:.2f} | {create_us / base_create:.2f}x |")
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(measure())


if __name__ == "__main__":
    print(run())
