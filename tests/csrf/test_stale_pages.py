"""Stale pages recover (issue #14): same-origin logout and login need no fresh token, refused
navigations get an HTML page, scripts fetch a fresh token, and plain http to a hostname is named as
the cause. The attacks these rules could open must still fail; each is tested here too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from sentinel.csrf import CSRFSettings, csrf_token_endpoint
from sentinel.errors import ConfigurationError
from tests.csrf.conftest import CROSS_SITE, SAME_ORIGIN, SITE, Browser, asgi_client, build, no_cookie_jar
from tests.csrf.test_attacks import FORM, refused

STALE = {"logout_paths": ("/logout",), "login_paths": ("/login",)}
NAVIGATE = {
    **SAME_ORIGIN,
    "sec-fetch-mode": "navigate",
    "sec-fetch-dest": "document",
    "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}


@pytest.fixture
async def stale_client() -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(build(**STALE)) as client:
        yield client


async def logged_in(browser: Browser) -> str:
    """Log ``browser`` in (with a valid token); the token the login response issued."""
    response = await browser.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": await browser.token()})
    assert response.status_code == 200 and browser.cookie is not None
    token: str = response.json()["token"]
    return token


async def session_alive(browser: Browser, token: str) -> bool:
    response = await browser.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": token}, json={})
    return response.status_code == 200


# --- logout -------------------------------------------------------------------------------------


async def test_a_tab_opened_before_login_can_log_out(stale_client: httpx.AsyncClient) -> None:
    tab = Browser(stale_client)
    stale = await tab.token()  # the old tab's form: a pre-session token
    fresh = await logged_in(tab)  # logged in in another tab: that token is retired
    response = await tab.request("POST", "/logout", SAME_ORIGIN, data={"csrf_token": stale})
    assert response.status_code == 200
    assert tab.cookie is None  # the session cookie was cleared ...
    tab.cookies.pop("__Host-sid", None)
    assert not await session_alive(tab, fresh)  # ... and the session's tokens are dead


@pytest.mark.parametrize(
    "proof",
    [{"origin": SITE}, {"sec-fetch-site": "same-origin"}],
    ids=["origin-only", "fetch-metadata-only"],
)
async def test_same_origin_logout_needs_no_token(
    stale_client: httpx.AsyncClient, proof: dict[str, str]
) -> None:
    browser = Browser(stale_client)
    await logged_in(browser)
    response = await browser.request("POST", "/logout", proof)
    assert response.status_code == 200 and browser.cookie is None


async def test_before_the_change_a_stale_logout_was_refused_and_the_session_lived(victim: Browser) -> None:
    """Without ``logout_paths`` (the old behaviour) the stale tab's logout is a 403."""
    stale = await victim.token()
    fresh = await logged_in(victim)
    response = await victim.request("POST", "/logout", SAME_ORIGIN, data={"csrf_token": stale})
    assert refused(response, "csrf-token-invalid")
    assert await session_alive(victim, fresh)


async def test_cross_site_logout_is_still_refused(stale_client: httpx.AsyncClient) -> None:
    victim = Browser(stale_client)
    fresh = await logged_in(victim)
    for headers in (CROSS_SITE, {"origin": "https://evil.example"}, {"origin": "null"}):
        response = await victim.request("POST", "/logout", headers)
        assert response.status_code == 403, headers
    assert await session_alive(victim, fresh)


async def test_a_logout_without_origin_evidence_still_needs_the_token(
    stale_client: httpx.AsyncClient,
) -> None:
    victim = Browser(stale_client)
    fresh = await logged_in(victim)
    assert refused(await victim.request("POST", "/logout"), "csrf-token-missing")
    assert await session_alive(victim, fresh)


async def test_token_mode_still_checks_origin_before_waiving_the_token() -> None:
    async with asgi_client(build(mode="token", **STALE)) as client:
        victim = Browser(client)
        fresh = await logged_in(victim)
        assert refused(await victim.request("POST", "/logout", CROSS_SITE), "csrf-token-missing")
        assert await session_alive(victim, fresh)
        assert (await victim.request("POST", "/logout", SAME_ORIGIN)).status_code == 200


async def test_other_routes_still_need_a_token(stale_client: httpx.AsyncClient) -> None:
    victim = Browser(stale_client)
    stale = await victim.token()
    await logged_in(victim)
    assert refused(await victim.request("POST", "/transfer", SAME_ORIGIN, data=FORM), "csrf-token-missing")
    response = await victim.request("POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": stale})
    assert refused(response, "csrf-token-invalid")


# --- login --------------------------------------------------------------------------------------


async def test_back_then_log_in_again_works(stale_client: httpx.AsyncClient) -> None:
    browser = Browser(stale_client)
    form_token = await browser.token()  # the login form, as first rendered
    await browser.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": form_token})
    # Back: the same form, same token (its pre-session was retired by the login), submitted again.
    again = await browser.request("POST", "/login?user=alice", SAME_ORIGIN, data={"csrf_token": form_token})
    assert again.status_code == 200
    assert await session_alive(browser, again.json()["token"])


async def test_login_csrf_from_another_site_is_still_refused(stale_client: httpx.AsyncClient) -> None:
    """The attacker's own valid token and pre-session cookie, posted from its page: refused."""
    attacker, victim = Browser(stale_client), Browser(stale_client)
    token = await attacker.token()
    victim.cookies = dict(attacker.cookies)  # even if the attacker could plant its cookie
    response = await victim.request(
        "POST", "/login?user=mallory", {**CROSS_SITE, "x-csrf-token": token}, data={"csrf_token": token}
    )
    assert refused(response, "csrf-origin")
    assert victim.cookie is None  # nobody was logged in


async def test_a_login_without_origin_evidence_needs_a_valid_token(stale_client: httpx.AsyncClient) -> None:
    browser = Browser(stale_client)
    stale = await browser.token()
    await browser.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": stale})
    assert refused(await browser.request("POST", "/login", data={"csrf_token": stale}), "csrf-token-invalid")


# --- settings -----------------------------------------------------------------------------------


def test_paths_come_from_the_environment() -> None:
    settings = CSRFSettings.from_env(
        {"SENTINEL_CSRF_LOGOUT_PATHS": "/logout,/account/logout", "SENTINEL_CSRF_LOGIN_PATHS": "/login"}
    )
    assert settings.logout_paths == ("/logout", "/account/logout")
    assert settings.login_paths == ("/login",)
    assert CSRFSettings(logout_paths="/logout").logout_paths == ("/logout",)  # type: ignore[arg-type]


def test_a_bad_path_names_its_setting() -> None:
    with pytest.raises(ConfigurationError, match="logout_paths"):
        CSRFSettings(logout_paths=("logout",))


# --- the HTML page for refused navigations ------------------------------------------------------


async def test_a_refused_form_navigation_gets_an_html_page(victim: Browser) -> None:
    await victim.token()
    headers = {**NAVIGATE, "referer": f"{SITE}/form?step=2"}
    response = await victim.request("POST", "/transfer", headers, data={**FORM, "csrf_token": "x" * 64})
    assert response.status_code == 403
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "This page has expired" in response.text
    assert '<a href="/form?step=2">' in response.text  # back to the page the form was on
    assert "csrf-token-invalid" in response.text


async def test_a_cross_site_navigation_links_home_not_to_the_attacker(victim: Browser) -> None:
    headers = {**NAVIGATE, **CROSS_SITE, "referer": "https://evil.example/trap"}
    response = await victim.request("POST", "/transfer", headers, data=FORM)
    assert response.status_code == 403 and response.headers["content-type"].startswith("text/html")
    assert '<a href="/">' in response.text and "evil" not in response.text
    assert "another site" in response.text


async def test_nothing_from_the_request_is_reflected_unescaped(victim: Browser) -> None:
    hostile = f'{SITE}/a"><script>alert(1)</script>'
    response = await victim.request("POST", "/transfer", {**NAVIGATE, "referer": hostile}, data=FORM)
    assert "<script>" not in response.text
    assert "&quot;&gt;&lt;script&gt;" in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-mode": "cors", "sec-fetch-dest": "empty", "accept": "*/*"},  # fetch()
        {"accept": "application/json"},
        {},  # curl, httpx
        {"sec-fetch-mode": "cors", "accept": "text/html"},  # fetch() asking for HTML: still a script
    ],
)
async def test_api_clients_still_get_problem_json(victim: Browser, headers: dict[str, str]) -> None:
    response = await victim.request("POST", "/transfer", {**SAME_ORIGIN, **headers}, data=FORM)
    assert refused(response, "csrf-token-missing")


async def test_an_old_browser_navigation_is_known_by_its_accept_header(victim: Browser) -> None:
    headers = {"origin": SITE, "accept": "text/html,*/*;q=0.8"}
    response = await victim.request("POST", "/transfer", headers, data=FORM)
    assert response.status_code == 403 and response.headers["content-type"].startswith("text/html")


# --- a fresh token without a reload -------------------------------------------------------------


async def test_a_script_recovers_from_a_retired_token_with_the_token_endpoint() -> None:
    app = build(**STALE)
    app.router.routes.append(Route("/csrf-token", csrf_token_endpoint))
    async with asgi_client(app) as client:
        page = Browser(client)
        stale = await page.token()
        await logged_in(page)  # in another tab
        first = await page.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": stale}, json={"n": 1})
        assert refused(first, "csrf-token-invalid")
        fetched = await page.request("GET", "/csrf-token", {"sec-fetch-mode": "cors"})
        assert fetched.headers["cache-control"] == "no-store"
        retry = await page.request(
            "POST", "/api", {**SAME_ORIGIN, "x-csrf-token": fetched.json()["csrf_token"]}, json={"n": 1}
        )
        assert retry.status_code == 200 and retry.json() == {"got": {"n": 1}}


# --- plain http to a hostname: say so -----------------------------------------------------------


def http_client(base_url: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build())
    return httpx.AsyncClient(transport=transport, base_url=base_url, cookies=no_cookie_jar())


async def plain_http_refusal(base_url: str, **headers: Any) -> httpx.Response:
    """What a browser on ``base_url`` sees: it dropped the Secure cookies, so only the token arrives."""
    async with http_client(base_url) as client:
        page = await client.get("/form")
        token = page.text.split('value="')[1].split('"')[0]
        return await client.post(
            "/transfer", headers={"origin": base_url, **headers}, data={**FORM, "csrf_token": token}
        )


async def test_plain_http_to_a_hostname_names_the_real_cause() -> None:
    response = await plain_http_refusal("http://devbox:8000")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "plain http to devbox" in detail
    assert "https" in detail and "http://localhost:8000" in detail
    navigation = await plain_http_refusal("http://devbox:8000", accept="text/html")
    assert "plain http to devbox" in navigation.text


@pytest.mark.parametrize("base_url", ["http://localhost:8000", "http://127.0.0.1:8000", "https://devbox"])
async def test_no_such_hint_where_cookies_work(base_url: str) -> None:
    response = await plain_http_refusal(base_url)
    assert response.status_code == 403
    assert "plain http" not in response.json()["detail"]


async def test_a_tls_proxy_is_not_blamed() -> None:
    response = await plain_http_refusal("http://devbox:8000", **{"x-forwarded-proto": "https"})
    assert "plain http" not in response.json()["detail"]


async def test_a_spent_session_budget_over_plain_http_names_the_cause() -> None:
    """Every request of a browser that drops the cookies starts a new session; the 429 says why."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response

    import sentinel
    from sentinel.ratelimit.policy import Rate
    from sentinel.sessions import MemoryStore, NewSessionBudget

    async def cart(request: Request) -> Response:
        request.session["cart"] = 1
        return JSONResponse({"ok": True})

    budget = NewSessionBudget(rate=Rate(limit=2, period=60))
    app = sentinel.SessionMiddleware(
        Route("/cart", cart, methods=["POST"]), secret_keys=["k" * 48], store=MemoryStore(), budget=budget
    )
    for base, hinted in (("http://devbox:8000", True), ("https://devbox", False)):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.9" if hinted else "192.0.2.10", 40000))
        async with httpx.AsyncClient(transport=transport, base_url=base, cookies=no_cookie_jar()) as client:
            responses = [await client.post("/cart") for _ in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 429]
        assert ("plain http to devbox" in responses[-1].json()["detail"]) is hinted
        assert "too many sessions" in responses[-1].json()["detail"]


async def test_a_token_refusal_does_not_claim_the_request_was_cross_site(victim: Browser) -> None:
    response = await victim.request("POST", "/transfer", SAME_ORIGIN, data=FORM)
    assert response.json()["title"] == "CSRF token missing"
    forged = await victim.request("POST", "/transfer", CROSS_SITE, data=FORM)
    assert forged.json()["title"] == "Cross-site request refused"
