"""A tiny app for the load-shedding tests over real HTTP (served by uvicorn on 127.0.0.1).

``GET /hold`` waits until ``POST /release`` (or 30 s, so nothing can hang); ``/release``,
``/stats`` and the health path are exempt from shedding. ``SHED_TEST_LIMIT`` sets max_in_flight.
"""

from __future__ import annotations

import asyncio
import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sentinel.health import HealthMiddleware
from sentinel.shedding import LoadShedder, LoadSheddingMiddleware, SheddingPolicy

shedder = LoadShedder(SheddingPolicy(max_in_flight=int(os.environ.get("SHED_TEST_LIMIT", "5"))))
released = asyncio.Event()


async def hold(request: Request) -> Response:
    async with asyncio.timeout(30):
        await released.wait()
    return PlainTextResponse("done")


async def release(request: Request) -> Response:
    released.set()
    return PlainTextResponse("released")


async def stats(request: Request) -> Response:
    return JSONResponse(shedder.stats().as_dict())


app = Starlette(
    routes=[Route("/hold", hold), Route("/release", release, methods=["POST"]), Route("/stats", stats)],
    middleware=[
        Middleware(LoadSheddingMiddleware, shedder=shedder, exempt_paths=["/healthz", "/stats", "/release"]),
        Middleware(HealthMiddleware, shedder=shedder, checks={"shedder": shedder}, allow_loopback=True),
    ],
)
