"""Tiny ASGI apps the serving tests start through ``sentinel gate``'s AppServer (in a child process)."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def probe(request: Request) -> PlainTextResponse:
    return PlainTextResponse(os.environ.get("SENTINEL_GATE_PROBE", "unset"))


app = Starlette(routes=[Route("/probe", probe)])
