"""A Starlette shop behind SessionMiddleware and CSRFMiddleware, with a hand-managed cookie."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.csrf import CSRFMiddleware, csrf_token
from tests.support.browser import PRE, SID, set_cookies

KEY = "csrf-test-key-" + "k" * 40
SITE = "https://testserver"
SAME_ORIGIN = {"origin": SITE, "sec-fetch-site": "same-origin"}
CROSS_SITE = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}


def build(*, csrf: bool = True, **options: Any) -> Starlette:
    async def form(request: Request) -> Response:
        token = csrf_token(request)
        html = f'<form method="post" action="/transfer"><input name="csrf_token" value="{token}"></form>'
        return HTMLResponse(html)

    async def transfer(request: Request) -> Response:
        data = await request.form()
        return JSONResponse({"to": data.get("to"), "amount": data.get("amount")})

    async def upload(request: Request) -> Response:
        async with request.form() as data:
            content = await data["file"].read()  # type: ignore[union-attr]
            return JSONResponse({"note": data.get("note"), "file": content.decode()})

    async def api(request: Request) -> Response:
        return JSONResponse({"got": await request.json()})

    async def login(request: Request) -> Response:
        await sentinel.login(request, request.query_params.get("user", "alice"))
        return JSONResponse({"token": csrf_token(request)})

    async def logout(request: Request) -> Response:
        await sentinel.logout(request)
        return JSONResponse({"ok": True})

    async def webhook(request: Request) -> Response:
        return JSONResponse({"bytes": len(await request.body())})

    async def read(request: Request) -> Response:
        return JSONResponse({"read": True})

    routes = [
        Route("/form", form),
        Route("/transfer", transfer, methods=["POST"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/api", api, methods=["POST", "PUT", "DELETE", "PATCH"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/webhooks/{name}", webhook, methods=["POST"]),
        Route("/read", read, methods=["GET", "HEAD", "OPTIONS"]),
    ]
    middleware = [Middleware(sentinel.SessionMiddleware, secret_keys=[KEY], store=sentinel.MemoryStore())]
    if csrf:
        options.setdefault("secret_keys", [KEY])
        middleware.append(Middleware(CSRFMiddleware, **options))
    return Starlette(routes=routes, middleware=middleware)


def cookie_of(response: httpx.Response) -> str | None:
    return set_cookies(response).get(SID)


@dataclass
class Browser:
    """One user agent: it keeps its own cookies (session and pre-session) and sends what a browser would."""

    client: httpx.AsyncClient
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def cookie(self) -> str | None:
        """The session cookie."""
        return self.cookies.get(SID)

    @property
    def pre(self) -> str | None:
        """The pre-session cookie anonymous tokens are bound to."""
        return self.cookies.get(PRE)

    async def request(
        self, method: str, path: str, headers: dict[str, str | bytes] | None = None, **kw: Any
    ) -> httpx.Response:
        sent: dict[str, str | bytes] = dict(headers or {})
        if self.cookies:
            sent["cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = await self.client.request(method, path, headers=sent, **kw)
        for name, value in set_cookies(response).items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    async def token(self) -> str:
        page = await self.request("GET", "/form")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, page.text
        return match.group(1)


def no_cookie_jar() -> CookieJar:
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def asgi_client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SITE, cookies=no_cookie_jar())


@pytest.fixture
async def app_client() -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(build(exempt_paths=["/webhooks/*"])) as client:
        yield client


@pytest.fixture
def victim(app_client: httpx.AsyncClient) -> Browser:
    return Browser(app_client)


@pytest.fixture
def attacker(app_client: httpx.AsyncClient) -> Browser:
    return Browser(app_client)
