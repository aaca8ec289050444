"""An inline Starlette app behind SessionMiddleware, with a clock the tests move by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.sessions import MemoryStore, SessionStore

KEY = "k" * 48


@dataclass
class Clock:
    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Gate:
    """Lets a test hold a request inside the app until another request has finished."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


def build_app(store: SessionStore, clock: Clock, gate: Gate | None = None, **options: Any) -> Starlette:
    async def read(request: Request) -> Response:
        return JSONResponse({"data": dict(request.session), "user": sentinel.get_session(request).user_id})

    async def write(request: Request) -> Response:
        for key, value in request.query_params.items():
            request.session[key] = value
        return JSONResponse(dict(request.session))

    async def append(request: Request) -> Response:
        request.session.setdefault("items", [])
        request.session["items"].append(len(request.session["items"]))
        return JSONResponse(dict(request.session))

    async def mutate_nested(request: Request) -> Response:
        request.session["items"].append("x")  # a nested change: no __setitem__ on the session
        return JSONResponse(dict(request.session))

    async def slow_write(request: Request) -> Response:
        assert gate is not None
        _ = request.session.get("x")
        gate.entered.set()
        await gate.release.wait()
        request.session["late"] = "write"
        return JSONResponse({"ok": True})

    async def slow_logout(request: Request) -> Response:
        assert gate is not None
        _ = request.session.get("x")
        gate.entered.set()
        await gate.release.wait()
        await sentinel.logout(request)
        return JSONResponse({"ok": True})

    async def login(request: Request) -> Response:
        await sentinel.login(request, request.query_params.get("user", "alice"))
        return JSONResponse({"ok": True})

    async def rotate(request: Request) -> Response:
        return JSONResponse({"rotated": await sentinel.rotate_session(request)})

    async def logout(request: Request) -> Response:
        await sentinel.logout(request)
        return JSONResponse({"ok": True})

    async def revoke(request: Request) -> Response:
        n = await sentinel.revoke_user_sessions(request, request.query_params["user"])
        return JSONResponse({"revoked": n})

    async def untouched(request: Request) -> Response:
        return Response("ok")

    routes = [
        Route("/read", read),
        Route("/write", write, methods=["POST"]),
        Route("/append", append, methods=["POST"]),
        Route("/mutate", mutate_nested, methods=["POST"]),
        Route("/slow-write", slow_write, methods=["POST"]),
        Route("/slow-logout", slow_logout, methods=["POST"]),
        Route("/login", login, methods=["POST"]),
        Route("/rotate", rotate, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/revoke", revoke, methods=["POST"]),
        Route("/untouched", untouched),
    ]
    mw = Middleware(sentinel.SessionMiddleware, secret_keys=[KEY], store=store, clock=clock, **options)
    return Starlette(routes=routes, middleware=[mw])


def cookie_of(response: httpx.Response, name: str = "__Host-sid") -> str | None:
    """The value our Set-Cookie gives ``name`` ('' when it clears it), or None if not set."""
    for header in response.headers.get_list("set-cookie"):
        pair = header.split(";", 1)[0]
        key, _, value = pair.partition("=")
        if key == name:
            return value
    return None


@dataclass
class Harness:
    store: SessionStore
    clock: Clock
    gate: Gate
    client: httpx.AsyncClient

    async def request(self, method: str, path: str, cookie: str | None = None, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if cookie is not None:
            headers["cookie"] = f"__Host-sid={cookie}"
        return await self.client.request(method, path, headers=headers, **kw)

    async def new_session(self, **data: str) -> str:
        response = await self.request("POST", "/write", params=data or {"a": "1"})
        value = cookie_of(response)
        assert value
        return value


HarnessFactory = Callable[..., Harness]


def no_cookie_jar() -> CookieJar:
    """A jar that keeps nothing: tests send exactly the cookies they mean to."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def asgi_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver", cookies=no_cookie_jar()
    )


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    clock = Clock()
    store = MemoryStore(clock=clock)
    gate = Gate()
    app = build_app(store, clock, gate)
    async with asgi_client(app) as c:
        yield Harness(store, clock, gate, c)
