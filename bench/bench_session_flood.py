"""Anonymous page views with a CSRF token: time per view and server state left behind (issue #12).

A public page with a form must render a token. Bound to a stored session (Sentinel before #12, and
any design that keeps the token in a server-side session, modelled here with starsessions' memory
store and a token kept in the session), every new visitor costs a record until the idle timeout, so
a flood of page views grows the server without bound or fills a capped store. Sentinel now binds an
anonymous token to a signed pre-session cookie instead.

Direct ASGI call loop (no network): each view is a brand-new visitor with no cookie (the flood), or
a returning visitor sending the cookie its first view got. State = records in the store and Python
heap growth (tracemalloc, in a separate pass so tracing does not slow the timed one) per 10,000
new visitors. Bare Starlette rendering a fixed page is the floor.
"""

from __future__ import annotations

import asyncio
import gc
import secrets
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

import sentinel
from bench.bench_sessions import Capture, _receive, scope_for
from sentinel.csrf import CSRFMiddleware, csrf_token

KEY = "bench-only-key-" + "x" * 40
VIEWS = 4000
ROUNDS = 5
STATE_VIEWS = 10_000

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
Counter = Callable[[], int]


def page(token: Callable[[Request], str], middleware: list[Middleware]) -> Starlette:
    async def home(request: Request) -> Response:
        return HTMLResponse(f'<form method="post"><input name="csrf_token" value="{token(request)}"></form>')

    return Starlette(routes=[Route("/", home)], middleware=middleware)


def sentinel_app() -> tuple[ASGI, Counter]:
    store = sentinel.MemoryStore(max_sessions=10_000_000)
    middleware = [
        Middleware(sentinel.SessionMiddleware, secret_keys=[KEY], store=store),
        Middleware(CSRFMiddleware, secret_keys=[KEY]),
    ]
    return page(csrf_token, middleware), lambda: len(store)


def starsessions_app() -> tuple[ASGI, Counter]:
    from starsessions import InMemoryStore, SessionAutoloadMiddleware
    from starsessions import SessionMiddleware as StarSessions

    store = InMemoryStore()

    def stored_token(request: Request) -> str:
        token = request.session.get("csrf")
        if token is None:
            token = request.session["csrf"] = secrets.token_urlsafe(32)
        return str(token)

    middleware = [
        Middleware(StarSessions, store=store, cookie_https_only=True, lifetime=1800),
        Middleware(SessionAutoloadMiddleware),
    ]
    return page(stored_token, middleware), lambda: len(store.data)


def bare_app() -> tuple[ASGI, Counter]:
    return page(lambda request: "fixed-token", []), lambda: 0


async def view(app: ASGI, cookie: str | None) -> Capture:
    sink = Capture()
    await app(scope_for("/", cookie), _receive, sink)
    if sink.status != 200:
        raise RuntimeError(f"page view answered {sink.status}")
    return sink


async def per_view_us(app: ASGI, cookie: str | None) -> float:
    for _ in range(200):
        await view(app, cookie)
    rounds = []
    for _ in range(ROUNDS):
        gc.collect()
        started = time.perf_counter()
        for _ in range(VIEWS):
            await view(app, cookie)
        rounds.append((time.perf_counter() - started) / VIEWS * 1e6)
    return statistics.median(rounds)


async def state_per_10k(build: Callable[[], tuple[ASGI, Counter]]) -> tuple[int, float]:
    """Records stored and heap MiB grown by 10,000 new visitors, in a fresh app."""
    app, records = build()
    await view(app, None)  # build the middleware stack outside the measurement
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(STATE_VIEWS):
        await view(app, None)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return records(), grown / 2**20


async def measure() -> str:
    builds = {
        "bare Starlette, fixed page (floor)": bare_app,
        "starsessions (memory), token kept in the session": starsessions_app,
        "sentinel, pre-session cookie": sentinel_app,
    }
    rows = []
    for name, build in builds.items():
        app, _ = build()
        returning = (await view(app, None)).cookie
        new_us = await per_view_us(app, None)
        back_us = await per_view_us(app, returning)
        records, mib = await state_per_10k(build)
        rows.append((name, new_us, back_us, records, mib))
    lines = [
        "## Session floods: anonymous page views with a CSRF token",
        "",
        f"Direct ASGI call loop, {VIEWS} views x {ROUNDS} rounds (median). A new visitor sends no cookie",
        "(what a flood sends); a returning one sends the cookie its first view got. State: records stored",
        f"and heap growth after {STATE_VIEWS:,} new visitors (tracemalloc, separate pass). Figures taken",
        "on a machine shared with other jobs.",
        "",
        "| app | new visitor µs/view | returning µs/view | records per 10k new | heap MiB per 10k new |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, new_us, back_us, records, mib in rows:
        lines.append(f"| {name} | {new_us:.1f} | {back_us:.1f} | {records:,} | {mib:.2f} |")
    star, ours = rows[1], rows[2]
    lines += [
        "",
        f"- Server state per 10,000 new visitors, sentinel / starsessions: **{ours[3]:,} vs {star[3]:,}"
        f" records**, {ours[4]:.2f} vs {star[4]:.2f} MiB of heap.",
        f"- Time per new-visitor view, sentinel / starsessions: **{ours[1] / star[1]:.2f}x**.",
    ]
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(measure())


if __name__ == "__main__":
    print(run())
