"""A protected app for the start-up tests, served by uvicorn in a subprocess (settings from env)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sentinel


async def home(request: Request) -> Response:
    return PlainTextResponse("ok")


async def visit(request: Request) -> Response:
    request.session["visits"] = int(request.session.get("visits", 0)) + 1
    return PlainTextResponse(str(request.session["visits"]))


app = sentinel.protect(Starlette(routes=[Route("/", home), Route("/visit", visit)]))
