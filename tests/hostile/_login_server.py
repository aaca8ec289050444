"""A login app served by uvicorn inside the test's event loop, and clients from chosen loopback IPs.

In-process, so a test can reach the very limiter the server uses (to fill it through its API), and
each client connects from its own 127.0.0.x source address: the server sees distinct TCP peers,
with no proxy header to trust.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

import sentinel
from sentinel.auth import Authenticator, Credentials
from sentinel.passwords import INSECURE_TEST_ONLY, PasswordHasher
from sentinel.problem import problem_response

SESSION_KEY = "hostile-limiter-session-key-" + "s" * 32
START_TIMEOUT = 10.0


def cheap_hasher() -> PasswordHasher:
    """A real argon2id hasher on the test-only profile (fast; warns that it is weak)."""
    with pytest.warns(sentinel.SentinelUnsafeWarning):
        return PasswordHasher(profile=INSECURE_TEST_ONLY, allow_weak=True, pepper=None)


@dataclass
class Users:
    """A user table that compares names exactly (no folding of its own)."""

    hashes: dict[str, str] = field(default_factory=dict)

    async def lookup(self, username: str) -> Credentials | None:
        stored = self.hashes.get(username)
        return None if stored is None else Credentials(user_id=f"id-{username}", password_hash=stored)

    async def save_hash(self, user_id: str, old: str, new: str) -> bool:
        name = user_id.removeprefix("id-")
        if self.hashes.get(name) != old:
            return False
        self.hashes[name] = new
        return True


def login_app(auth: Authenticator) -> Starlette:
    """``POST /login`` (form: username, password): 200 ``{"user": id}`` or the problem answer."""

    async def login(request: Request) -> Response:
        form = await request.form()
        result = await auth.login(request, str(form["username"]), str(form["password"]))
        if result.ok:
            return JSONResponse({"user": result.user_id})
        return problem_response(result.problem())

    return session_app([Route("/login", login, methods=["POST"])])


def session_app(routes: list[Route]) -> Starlette:
    return Starlette(
        routes=routes, middleware=[Middleware(sentinel.SessionMiddleware, secret_keys=[SESSION_KEY])]
    )


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1, a free port, in this event loop; yield its URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=START_TIMEOUT)


Post = Callable[[str, str], Awaitable[httpx.Response]]


@asynccontextmanager
async def client_from(base: str, address: str) -> AsyncIterator[Post]:
    """``post(username, password)`` to ``/login`` from the source address ``address`` (127.0.0.x)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, base_url=base, timeout=10.0) as client:

        async def post(username: str, password: str) -> httpx.Response:
            return await client.post("/login", data={"username": username, "password": password})

        yield post
