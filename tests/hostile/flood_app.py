"""A small shop for the session-flood tests: sessions + CSRF on a store chosen by the environment.

``FLOOD_REDIS_URL`` and ``FLOOD_REDIS_PREFIX`` put sessions (and the new-session budget beside them)
in Redis under a prefix unique to one test; without them the store is a MemoryStore. Served by
uvicorn from ``tests/hostile/test_session_flood.py``.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.csrf import CSRFMiddleware, csrf_token
from sentinel.sessions import MemoryStore, RedisStore, SessionStore

KEYS = [os.environ["SENTINEL_SECRET_KEYS"]]


async def form(request: Request) -> Response:
    return HTMLResponse(f'<form method="post"><input name="csrf_token" value="{csrf_token(request)}"></form>')


async def cart(request: Request) -> Response:
    request.session["cart"] = int(request.session.get("cart", 0)) + 1
    return JSONResponse({"cart": request.session["cart"]})


async def login(request: Request) -> Response:
    await sentinel.login(request, (await request.form())["username"])  # type: ignore[arg-type]
    return JSONResponse({"ok": True})


async def me(request: Request) -> Response:
    return JSONResponse({"user": sentinel.get_session(request).user_id})


def _store() -> SessionStore:
    url = os.environ.get("FLOOD_REDIS_URL")
    return RedisStore(url, prefix=os.environ["FLOOD_REDIS_PREFIX"]) if url else MemoryStore()


app = Starlette(
    routes=[
        Route("/form", form),
        Route("/cart", cart, methods=["POST"]),
        Route("/login", login, methods=["POST"]),
        Route("/me", me),
    ],
    middleware=[
        Middleware(sentinel.SessionMiddleware, secret_keys=KEYS, store=_store()),
        Middleware(CSRFMiddleware, secret_keys=KEYS),
    ],
)
