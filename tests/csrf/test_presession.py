"""Anonymous tokens bind to the signed pre-session cookie: nothing stored, nothing forgeable."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.csrf import CSRFMiddleware, CSRFSettings, PreSessionCookie, csrf_token
from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.keys import Secret
from sentinel.sessions import MemoryStore
from tests.csrf.conftest import KEY, PRE, SAME_ORIGIN, SID, Browser, asgi_client, build

OLD_KEY = "csrf-old-key-" + "o" * 40


def refused(response: httpx.Response) -> bool:
    return (
        response.status_code == 403 and response.json()["type"] == "urn:sentinel:problem:csrf-token-invalid"
    )


def shop(store: MemoryStore) -> Starlette:
    async def form(request: Request) -> Response:
        return HTMLResponse(f'<input name="csrf_token" value="{csrf_token(request)}">')

    async def api(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def login(request: Request) -> Response:
        await sentinel.login(request, "alice")
        return JSONResponse({"token": csrf_token(request)})

    return Starlette(
        routes=[
            Route("/form", form),
            Route("/api", api, methods=["POST"]),
            Route("/login", login, methods=["POST"]),
        ],
        middleware=[
            Middleware(sentinel.SessionMiddleware, secret_keys=[KEY], store=store),
            Middleware(CSRFMiddleware, secret_keys=[KEY]),
        ],
    )


async def test_an_anonymous_form_page_stores_nothing_and_sets_a_strict_signed_cookie() -> None:
    store = MemoryStore()
    async with asgi_client(shop(store)) as client:
        browser = Browser(client)
        page = await browser.request("GET", "/form")
        (header,) = page.headers.get_list("set-cookie")
        assert header.startswith(f"{PRE}=")
        assert sorted(a.strip() for a in header.split(";")[1:]) == [
            "HttpOnly",
            "Path=/",
            "SameSite=Lax",
            "Secure",
        ]
        assert page.headers["cache-control"] == "private, no-store"  # it hands out a cookie
        assert "Cookie" in page.headers["vary"]
        token = await browser.token()
        again = await browser.request("GET", "/form")
        assert again.headers.get_list("set-cookie") == []  # the cookie it holds is reused
        ok = await browser.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": token}, json={})
        assert ok.status_code == 200
    assert len(store) == 0 and browser.cookie is None


async def test_a_pre_session_token_needs_its_own_cookie() -> None:
    async with asgi_client(shop(MemoryStore())) as client:
        mallory, victim = Browser(client), Browser(client)
        token = await mallory.token()
        await victim.token()
        headers = {**SAME_ORIGIN, "x-csrf-token": token}
        assert refused(await victim.request("POST", "/api", headers, json={}))  # another cookie
        assert refused(await Browser(client).request("POST", "/api", headers, json={}))  # no cookie


@pytest.mark.parametrize("tamper", ["flip", "truncate", "other-key", "twice"])
async def test_forged_or_doubled_pre_session_cookies_are_not_trusted(tamper: str) -> None:
    async with asgi_client(shop(MemoryStore())) as client:
        browser = Browser(client)
        token = await browser.token()
        value = browser.pre
        assert value is not None
        if tamper == "flip":
            browser.cookies[PRE] = ("A" if value[0] != "A" else "B") + value[1:]
        elif tamper == "truncate":
            browser.cookies[PRE] = value[:-4]
        elif tamper == "other-key":
            _, forged = PreSessionCookie([Secret("attacker-" + "x" * 40)], max_age=3600).mint(1e9)
            browser.cookies[PRE] = forged
        else:
            browser.cookies = {}
            sent = {**SAME_ORIGIN, "x-csrf-token": token, "cookie": f"{PRE}={value}; {PRE}={value}"}
            assert refused(await client.post("/api", headers=sent, json={}))
            return
        assert refused(await browser.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": token}, json={}))


async def test_login_retires_the_pre_session_even_if_the_browser_keeps_the_cookie() -> None:
    async with asgi_client(shop(MemoryStore())) as client:
        browser = Browser(client)
        anonymous = await browser.token()
        pre = browser.pre
        login = await browser.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": anonymous})
        assert login.status_code == 200 and browser.pre is None and browser.cookie is not None
        assert pre is not None
        browser.cookies[PRE] = pre  # a browser (or an attacker) that ignored the expiry
        stale = await browser.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": anonymous}, json={})
        assert refused(stale)
        fresh = login.json()["token"]
        assert (
            await browser.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": fresh}, json={})
        ).status_code == 200


async def test_logout_expires_the_pre_session_and_the_next_page_mints_a_new_one() -> None:
    async with asgi_client(build()) as client:
        browser = Browser(client)
        pre = (await browser.request("GET", "/form"), browser.pre)[1]
        token = (
            await browser.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": await browser.token()})
        ).json()["token"]
        browser.cookies[PRE] = pre or ""
        logout = await browser.request("POST", "/logout", {**SAME_ORIGIN, "x-csrf-token": token})
        assert logout.status_code == 200
        assert browser.pre is None and browser.cookie is None
        await browser.token()
        assert browser.pre is not None and browser.pre != pre


def test_cookie_codec_rotation_and_lifetime() -> None:
    old = PreSessionCookie([Secret(OLD_KEY)], max_age=3600)
    nonce, value = old.mint(1_000_000)
    both = PreSessionCookie([Secret(KEY), Secret(OLD_KEY)], max_age=3600)
    assert both.read(value, 1_000_010) == nonce  # signed by the old key: still valid after rotation
    assert PreSessionCookie([Secret(KEY)], max_age=3600).read(value, 1_000_010) is None  # key dropped
    assert both.read(value, 1_000_000 + 3601) is None  # too old
    assert both.read(value, 999_000) is None  # from the future
    assert both.read(value.replace(value[5], "+" if value[5] != "+" else "/"), 1_000_010) is None
    assert both.read("", 1_000_010) is None


def test_pre_session_settings_are_validated_and_unsafe_ones_warn() -> None:
    with pytest.raises(ConfigurationError) as error:
        CSRFSettings(presession_cookie="bad name", presession_max_age=5)
    assert len(error.value.problems) == 2
    with pytest.raises(ConfigurationError):
        CSRFSettings(presession_secure=False)  # __Host- demands Secure
    with pytest.warns(SentinelUnsafeWarning):
        CSRFSettings(presession_cookie="csrf-pre", presession_secure=False)


async def test_a_renamed_insecure_cookie_for_local_http_development() -> None:
    app = build(presession_cookie="csrf-pre", presession_secure=False)
    async with asgi_client(app) as client:
        with pytest.warns(SentinelUnsafeWarning):  # Starlette builds the middleware on first use
            page = await client.get("/form")
        (header,) = page.headers.get_list("set-cookie")
        assert header.startswith("csrf-pre=") and "Secure" not in header
        assert SID not in header
