"""The habits of real apps that defeated the scanner (issue #13), reproduced by our own small app.

One served scan (real HTTP, uvicorn) covers the wire and the logged-in active scan; the oracle and
token-login tests run in-process (the wire does not matter to them).
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from scanner import LOOPBACK_LIMITS, LoginConfig, ScanConfig, ScanResult, run_scan
from scanner.auth.oracle import find_oracle
from scanner.http import HttpEngine, RequestSpec
from scanner.scope import ScopeGuard
from sentinel.keys import Secret
from tests.scanner.realistic_app import app
from tests.support.servers import serve

PASSWORD = "correct horse battery"


def _login(**overrides: Any) -> LoginConfig:
    options: dict[str, Any] = {"url": "/login", "username": "superadmin", "password": Secret(PASSWORD)}
    options.update(overrides)
    return LoginConfig(**options)


@pytest.fixture(scope="module")
def served_scan() -> Iterator[ScanResult]:
    with serve("tests.scanner.realistic_app:app") as url:
        config = ScanConfig(
            base_url=url, limits=LOOPBACK_LIMITS, login=_login(), checks=frozenset({"reflected-xss"})
        )
        yield asyncio.run(run_scan(config))


def _xss(result: ScanResult) -> set[tuple[str, str | None]]:
    return {
        (f.url.split("?")[0].split("/", 3)[-1], f.parameter) for f in result.findings if f.rule.id == "SNT207"
    }


def test_a_server_that_decodes_with_unquote_gets_the_payload(served_scan: ScanResult) -> None:
    # The payload has spaces: sent as "+", the server would see "<tag+data-x=y>" and no element.
    assert ("greet", "name") in _xss(served_scan)


def test_a_404_page_that_renders_the_path_is_an_insertion_point(served_scan: ScanResult) -> None:
    assert any(p == "path" for _, p in _xss(served_scan))


def test_a_form_three_clicks_deep_behind_login_with_csrf_and_required_fields(served_scan: ScanResult) -> None:
    # Reached only logged in, at depth 3, with a single-use CSRF token fetched fresh before each
    # probe, and with every other field filled (the app answers 400 to any empty field).
    assert served_scan.complete, served_scan.incomplete
    assert ("settings/profile/save", "display") in _xss(served_scan)


async def _engine(transport: httpx.AsyncBaseTransport) -> HttpEngine:
    return HttpEngine(LOOPBACK_LIMITS, ScopeGuard("http://127.0.0.1:8000/"), transport=transport)


async def test_the_oracle_takes_a_redirect_to_login_or_a_display_name() -> None:
    engine = await _engine(httpx.ASGITransport(app=app))
    base = "http://127.0.0.1:8000"
    async with engine.probe("a") as authed, engine.probe("b") as anonymous:
        page = await authed.get(f"{base}/login")
        token = page.text.split("name='csrf' value='")[1].split("'")[0]
        form = (("csrf", token), ("username", "superadmin"), ("password", PASSWORD))
        answer = await authed.send(RequestSpec(url=f"{base}/login", method="POST", form=form))
        assert answer.status == 302
        redirect = await find_oracle(authed, anonymous, [f"{base}/dashboard"], "superadmin")
        assert redirect is not None and redirect.authed_status == 200 and redirect.marker is None
        # The home page is the same for both: no oracle there.
        assert await find_oracle(authed, anonymous, [f"{base}/"], "superadmin") is None


async def test_the_oracle_finds_a_display_name_shown_only_to_the_session() -> None:
    async def greeting(scope: Any, receive: Any, send: Any) -> None:
        cookie = dict(scope["headers"]).get(b"cookie", b"")
        who = "Super Admin" if b"sid=ok" in cookie else "guest"
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
        )
        await send({"type": "http.response.body", "body": f"<p>Welcome, {who}</p>".encode()})

    engine = await _engine(httpx.ASGITransport(app=greeting))
    async with engine.probe("a") as authed, engine.probe("b") as anonymous:
        authed.jar.set("sid", "ok")
        oracle = await find_oracle(authed, anonymous, ["http://127.0.0.1:8000/"], "superadmin")
    assert oracle is not None and oracle.marker == "Welcome, Super Admin"
    assert "text only the session sees" in oracle.describe()


async def test_a_json_login_that_returns_a_bearer_token() -> None:
    config = ScanConfig(
        base_url="http://127.0.0.1:8000/",
        limits=LOOPBACK_LIMITS,
        login=_login(url="/api/login", format="json", auth_check_url="/api/me"),
        checks=frozenset({"session-fixation"}),
    )
    result = await run_scan(config, transport=httpx.ASGITransport(app=app))
    assert result.complete, result.incomplete
    check = {c.name: c for c in result.checks}["session-fixation"]
    assert check.status == "skipped" and "bearer token" in check.reason
    assert any("/api/me answers HTTP 200 only to a logged-in session" in n for n in result.notes)


async def test_header_option_rides_on_every_request_and_is_redacted() -> None:
    seen: list[bytes] = []

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        seen.append(dict(scope["headers"]).get(b"x-api-key", b""))
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
        )
        await send({"type": "http.response.body", "body": b"<a href='/next'>next</a>"})

    secret = "k-0123456789abcdef"
    config = ScanConfig(
        base_url="http://127.0.0.1:8000/",
        limits=LOOPBACK_LIMITS,
        headers=(("X-Api-Key", secret),),
        checks=frozenset({"reflected-xss"}),
    )
    result = await run_scan(config, transport=httpx.ASGITransport(app=echo))
    assert seen and set(seen) == {secret.encode()}
    assert secret not in repr(result)


async def test_brute_force_judges_failures_against_the_success_even_a_404() -> None:
    async def odd_login(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        if scope["method"] == "POST":
            body = (await receive()).get("body", b"")
        cookie = dict(scope["headers"]).get(b"cookie", b"")
        headers = [(b"content-type", b"text/html")]
        if scope["path"] == "/login" and scope["method"] == "POST":
            ok = b"username=superadmin" in body and b"password=correct+horse+battery" in body
            status = 303 if ok else 404  # a failed login answers 404: the app's own habit
            headers += [(b"location", b"/me"), (b"set-cookie", b"sid=ok; Path=/")] if ok else []
            page = b""
        elif scope["path"] == "/me":
            status, page = (200, b"me") if b"sid=ok" in cookie else (401, b"who?")
        else:
            status = 200
            page = b"<form method=post action=/login><input name=username><input type=password name=password>"
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": page})

    result = await run_scan(
        ScanConfig(
            base_url="http://127.0.0.1:8000/",
            limits=LOOPBACK_LIMITS,
            login=_login(),
            checks=frozenset({"login-brute-force"}),
        ),
        transport=httpx.ASGITransport(app=odd_login),
    )
    assert {c.name: c.status for c in result.checks}["login-brute-force"] == "failed"


async def test_one_costly_check_cannot_starve_the_others() -> None:
    # Level 2 SQL probes need more than this budget; they used to spend it all before the XSS check
    # ran. With shares, the XSS check gets its own and finds the flaw; SQL says how far it got.
    config = ScanConfig(
        base_url="http://127.0.0.1:8000/",
        limits=replace(LOOPBACK_LIMITS, max_requests=40),
        checks=frozenset({"sql-injection", "reflected-xss"}),
        level=2,
    )
    result = await run_scan(config, transport=httpx.ASGITransport(app=app))
    checks = {c.name: c for c in result.checks}
    assert checks["reflected-xss"].status == "failed"
    assert (
        checks["sql-injection"].status == "error"
        and "insertion points tested" in checks["sql-injection"].reason
    )
    assert not result.complete


def _minting(make_id: Any) -> Any:
    async def minting(scope: Any, receive: Any, send: Any) -> None:
        cookie = f"sid={make_id()}; Path=/; HttpOnly".encode()
        headers = [(b"content-type", b"text/html"), (b"set-cookie", cookie)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<p>hello</p>"})

    return minting


@pytest.mark.parametrize(
    ("make_id", "flagged"), [(lambda: uuid.uuid4(), False), (lambda: secrets.token_hex(6), True)]
)
async def test_entropy_policy_follows_owasp_a_uuid4_is_not_cwe_330(make_id: Any, flagged: bool) -> None:
    config = ScanConfig(
        base_url="http://127.0.0.1:8000/",
        limits=LOOPBACK_LIMITS,
        checks=frozenset({"low-entropy-session-id"}),
    )
    result = await run_scan(config, transport=httpx.ASGITransport(app=_minting(make_id)))
    check = {c.name: c for c in result.checks}["low-entropy-session-id"]
    assert (check.status == "failed") is flagged, check.reason
    if not flagged:  # 122 bits: above the 64-bit floor, noted, not reported
        assert "above OWASP's 64-bit floor" in check.reason


async def test_an_unverifiable_login_still_gets_fixation_and_cookie_checks() -> None:
    # Every page looks the same to everybody, so no oracle exists; the login redirects away from
    # /login and keeps the anonymous session cookie: not rotated at login.
    async def opaque(scope: Any, receive: Any, send: Any) -> None:
        cookie = dict(scope["headers"]).get(b"cookie", b"")
        headers = [(b"content-type", b"text/html")]
        if b"session=" not in cookie:
            headers.append((b"set-cookie", f"session={secrets.token_urlsafe(24)}; Path=/".encode()))
        status, page = 200, b"<p>hello</p>"
        if scope["path"] == "/login" and scope["method"] == "POST":
            status, page = 302, b""
            headers.append((b"location", b"/"))
        elif scope["path"] == "/login":
            page = b"<form method=post><input name=username><input type=password name=password></form>"
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": page})

    config = ScanConfig(
        base_url="http://127.0.0.1:8000/",
        limits=LOOPBACK_LIMITS,
        login=_login(),
        checks=frozenset({"session-fixation", "cookie-flags"}),
    )
    result = await run_scan(config, transport=httpx.ASGITransport(app=opaque))
    assert any("could not be verified" in reason for reason in result.incomplete)
    rules = {f.rule.id: f for f in result.findings}
    assert rules["SNT103"].confidence.label == "firm" and rules["SNT103"].parameter == "session"
    assert "SNT108" in rules  # HttpOnly missing on the anonymously issued cookie
