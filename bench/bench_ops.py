"""Per-request overhead of the operations and guard middlewares, by a direct ASGI call loop.

Each middleware alone wraps the same tiny Starlette app; overhead = time per request minus bare
Starlette's in the same run. CSRF needs sessions, so its rows compare against Sentinel's
``SessionMiddleware`` alone with the same cookie and body. Also: the time to answer a shed request
(every slot taken) against a normal request, and the JSON formatter's cost per security event
against logging's plain one.

Cases are interleaved round by round (each round runs every case once), so a neighbour's burst of
CPU use on a shared machine lands on all cases alike instead of on whichever ran at that moment.
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

import sentinel
from bench.bench_sessions import scope_for
from sentinel.csrf import CSRFMiddleware, csrf_token
from sentinel.headers import BASIC, STRICT, SecurityHeadersMiddleware, csp_nonce
from sentinel.health import HealthMiddleware, HealthSettings
from sentinel.observability import JsonFormatter, RequestIdMiddleware
from sentinel.shedding import LoadShedder, LoadSheddingMiddleware, SheddingPolicy

KEY = "bench-only-key-" + "x" * 40
HEALTH_TOKEN = "bench-only-health-token-" + "h" * 20
ITERATIONS = 2000
ROUNDS = 9

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
Scope = dict[str, Any]


def make_app(middleware: list[Middleware]) -> Starlette:
    async def plain(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def nonce(request: Request) -> Response:
        return PlainTextResponse(f"<script nonce='{csp_nonce(request)}'></script>")

    async def submit(request: Request) -> Response:
        await request.body()
        return PlainTextResponse("ok")

    async def token(request: Request) -> Response:
        return JSONResponse({"token": csrf_token(request)})

    routes = [
        Route("/plain", plain),
        Route("/nonce", nonce),
        Route("/submit", submit, methods=["POST"]),
        Route("/token", token),
    ]
    return Starlette(routes=routes, middleware=middleware)


class Sink:
    def __init__(self) -> None:
        self.status = 0
        self.cookie: str | None = None
        self.body = b""

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.body = b""  # keep one response's body, not every one
            for name, value in message["headers"]:
                if name == b"set-cookie":
                    self.cookie = value.decode().split(";", 1)[0]
        else:
            self.body += message.get("body", b"")


def receiver(body: bytes) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def get(path: str, *headers: tuple[bytes, bytes], cookie: str | None = None) -> Callable[[], Scope]:
    def make() -> Scope:
        scope = scope_for(path, cookie)
        scope["headers"] = [*scope["headers"], *headers]
        return scope

    return make


def post(path: str, *headers: tuple[bytes, bytes]) -> Callable[[], Scope]:
    def make() -> Scope:
        scope = scope_for(path, None)
        scope["method"] = "POST"
        scope["headers"] = [*scope["headers"], *headers]
        return scope

    return make


@dataclass
class Case:
    name: str
    app: ASGI
    make_scope: Callable[[], Scope]
    body: bytes = b""
    status: int = 200

    async def round(self) -> float:
        """Mean µs per request over one batch of ITERATIONS."""
        sink, receive = Sink(), receiver(self.body)
        started = time.perf_counter_ns()
        for _ in range(ITERATIONS):
            await self.app(self.make_scope(), receive, sink)
        elapsed = (time.perf_counter_ns() - started) / ITERATIONS / 1000
        if sink.status != self.status:
            raise RuntimeError(f"{self.name}: expected {self.status}, got {sink.status}: {sink.body[:200]!r}")
        return elapsed


async def interleaved(cases: list[Case]) -> dict[str, float]:
    """Median over rounds of each case's mean µs per request, cases alternating within each round."""
    samples: dict[str, list[float]] = {case.name: [] for case in cases}
    for _ in range(ROUNDS):
        for case in cases:
            samples[case.name].append(await case.round())
    return {name: statistics.median(values) for name, values in samples.items()}


def single_cases() -> list[Case]:
    health = HealthSettings(tokens=(HEALTH_TOKEN,))
    basic = make_app([Middleware(SecurityHeadersMiddleware, policy=BASIC)])
    strict = make_app([Middleware(SecurityHeadersMiddleware, policy=STRICT)])
    request_ids = make_app([Middleware(RequestIdMiddleware)])
    return [
        Case("bare Starlette", make_app([]), get("/plain")),
        Case("RequestIdMiddleware (minted ID)", request_ids, get("/plain")),
        Case(
            "RequestIdMiddleware (caller's ID)", request_ids, get("/plain", (b"x-request-id", b"edge-12ab"))
        ),
        Case("SecurityHeadersMiddleware BASIC", basic, get("/plain")),
        Case("SecurityHeadersMiddleware STRICT", strict, get("/plain")),
        Case("SecurityHeadersMiddleware STRICT, page renders a nonce", strict, get("/nonce")),
        Case(
            "LoadSheddingMiddleware (admitted)", make_app([Middleware(LoadSheddingMiddleware)]), get("/plain")
        ),
        Case(
            "HealthMiddleware (other path)",
            make_app([Middleware(HealthMiddleware, settings=health)]),
            get("/plain"),
        ),
    ]


async def csrf_cases() -> tuple[list[Case], list[Case]]:
    """(baselines, guarded) with a live session that already holds a CSRF seed."""
    # One store for both stacks, so the baseline loads the very same live session.
    sessions = Middleware(sentinel.SessionMiddleware, secret_keys=[KEY], store=sentinel.MemoryStore())
    base = make_app([sessions])
    guarded = make_app([sessions, Middleware(CSRFMiddleware, secret_keys=[KEY])])
    sink = Sink()
    await guarded(scope_for("/token", None), receiver(b""), sink)
    token = json.loads(sink.body)["token"].encode()
    cookie = sink.cookie or ""
    same_origin = ((b"origin", b"https://bench"), (b"sec-fetch-site", b"same-origin"))
    form_headers = ((b"cookie", cookie.encode()), (b"content-type", b"application/x-www-form-urlencoded"))
    form = b"a=1&b=2&csrf_token=" + token
    baselines = [
        Case("sessions alone, GET", base, get("/plain", cookie=cookie)),
        Case("sessions alone, POST", base, post("/submit", *form_headers, *same_origin), form),
    ]
    guarded_cases = [
        Case("CSRFMiddleware, GET (safe: no check)", guarded, get("/plain", cookie=cookie)),
        Case(
            "CSRFMiddleware, POST, token in header",
            guarded,
            post("/submit", *form_headers, *same_origin, (b"x-csrf-token", token)),
            form,
        ),
        Case(
            "CSRFMiddleware, POST, token in form body",
            guarded,
            post("/submit", *form_headers, *same_origin),
            form,
        ),
    ]
    return baselines, guarded_cases


def shed_cases() -> tuple[LoadShedder, list[Case]]:
    """A full shedder (its one slot taken) and an empty one, same app."""
    full = LoadShedder(SheddingPolicy(max_in_flight=1))
    if not full.try_admit():
        raise RuntimeError("a fresh shedder must admit")
    empty_app = make_app([Middleware(LoadSheddingMiddleware, max_in_flight=1)])
    full_app = make_app([Middleware(LoadSheddingMiddleware, shedder=full)])
    cases = [
        Case("admitted request", empty_app, get("/plain")),
        Case("shed request", full_app, get("/plain"), status=503),
    ]
    return full, cases


def formatter_cost() -> tuple[float, float]:
    """µs per security-event record: JsonFormatter vs logging's default formatter (best of 5)."""
    record = logging.LogRecord("sentinel.security", logging.WARNING, __file__, 1, "%s %s", ("a", "b"), None)
    record.sentinel = {  # type: ignore[attr-defined]
        "event": "csrf.refused", "outcome": "refused", "request_id": "r-1", "session": "ab" * 8,
        "client_ip": "192.0.2.1", "path": "/login", "reason": "cross-site", "method": "POST",
    }  # fmt: skip
    out = []
    for formatter in (JsonFormatter(), logging.Formatter()):
        n, best = 5000, float("inf")
        for _ in range(5):
            started = time.perf_counter_ns()
            for _ in range(n):
                formatter.format(record)
            best = min(best, (time.perf_counter_ns() - started) / n / 1000)
        out.append(best)
    return out[0], out[1]


async def measure() -> str:
    singles = single_cases()
    csrf_base, csrf = await csrf_cases()
    shedder, shed = shed_cases()
    # The one logged transition (load.shedding_started) is not part of what is measured.
    logging.getLogger("sentinel.security").disabled = True
    try:
        t = await interleaved(singles + csrf_base + csrf + shed)
    finally:
        logging.getLogger("sentinel.security").disabled = False
        shedder.release(queue_wait=0, processing=0)
    json_us, plain_us = formatter_cost()
    bare = t["bare Starlette"]
    rows = [(c.name, t[c.name], t[c.name] - bare) for c in singles]
    for case in csrf:
        baseline = t["sessions alone, GET"] if "GET" in case.name else t["sessions alone, POST"]
        rows.append((case.name, t[case.name], t[case.name] - baseline))
    shed_us, normal_us = t["shed request"], t["admitted request"]
    lines = [
        "## Operations guards: per-request overhead",
        "",
        f"Direct ASGI call loop, {ITERATIONS} requests x {ROUNDS} rounds, cases interleaved within each "
        "round (median of rounds); GET of a plain-text endpoint unless stated. Overhead = time minus "
        "bare Starlette in the same run; for CSRF, minus Sentinel sessions alone with the same cookie "
        f"and body ({t['sessions alone, GET']:.1f} µs GET, {t['sessions alone, POST']:.1f} µs POST).",
        "",
        "| stack | µs/req | overhead µs |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {us:.1f} | {over:+.1f} |" for name, us, over in rows]
    lines += [
        "",
        f"- A shed request is answered in **{shed_us:.1f} µs**, {shed_us / normal_us:.2f}x the time of an "
        f"admitted request through the same middleware ({normal_us:.1f} µs): the refusal does no work "
        "and waits on nothing.",
        f"- JSON security-event formatting: **{json_us:.1f} µs** per record (best of 5), "
        f"{json_us / plain_us:.1f}x logging's plain formatter ({plain_us:.1f} µs), redaction included.",
    ]
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(measure())


if __name__ == "__main__":
    print(run())
