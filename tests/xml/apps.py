"""An app for the over-HTTP tests: ``uvicorn tests.xml.apps:app``.

``POST /echo`` answers the length and SHA-256 of the body the app received; ``POST /import`` is the
example app's order import. Both sit behind the XML guard with a small size cap (64 KiB), so a 413
fits in socket buffers and the client reads the answer instead of a reset.
"""

from __future__ import annotations

import dataclasses
import hashlib

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from examples.xml_import import import_route
from sentinel.xml import DEFAULT_LIMITS, XMLGuardMiddleware

LIMITS = dataclasses.replace(DEFAULT_LIMITS, max_bytes=64 * 1024)


async def echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse({"length": len(body), "sha256": hashlib.sha256(body).hexdigest()})


async def ready(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[Route("/", ready), Route("/echo", echo, methods=["POST"]), import_route],
    middleware=[Middleware(XMLGuardMiddleware, limits=LIMITS)],
)
