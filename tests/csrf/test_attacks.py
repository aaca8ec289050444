"""CSRF attacks fail and legitimate flows pass, through Starlette + SessionMiddleware + CSRFMiddleware."""

from __future__ import annotations

import logging

import httpx
import pytest

from sentinel.csrf import TOKEN_LENGTH
from tests.csrf.conftest import CROSS_SITE, SAME_ORIGIN, Browser, asgi_client, build

FORM = {"to": "mallory", "amount": "1000"}


def refused(response: httpx.Response, kind: str) -> bool:
    return (
        response.status_code == 403
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["type"] == f"urn:sentinel:problem:{kind}"
    )


async def test_a_legitimate_form_post_passes_and_the_app_still_reads_its_body(victim: Browser) -> None:
    token = await victim.token()
    assert len(token) == TOKEN_LENGTH
    response = await victim.request("POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": token})
    assert response.status_code == 200
    assert response.json() == FORM  # the body the middleware read was replayed to the app


async def test_a_multipart_form_with_a_file_passes_and_keeps_its_body(victim: Browser) -> None:
    token = await victim.token()
    response = await victim.request(
        "POST",
        "/upload",
        SAME_ORIGIN,
        data={"note": "hello", "csrf_token": token},
        files={"file": ("a.txt", b"file body\r\n--not-a-boundary")},
    )
    assert response.status_code == 200
    assert response.json() == {"note": "hello", "file": "file body\r\n--not-a-boundary"}


async def test_a_json_client_sends_the_header(victim: Browser) -> None:
    token = await victim.token()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await victim.request(
            method, "/api", {**SAME_ORIGIN, "x-csrf-token": token}, json={"m": method}
        )
        assert response.status_code == 200, method
        assert response.json() == {"got": {"m": method}}


async def test_cross_site_form_post_is_refused(victim: Browser, caplog: pytest.LogCaptureFixture) -> None:
    login = await victim.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": await victim.token()})
    token = login.json()["token"]
    # The classic attack: evil.example auto-submits a form; the browser attaches the victim's cookie.
    classic = await victim.request("POST", "/transfer", CROSS_SITE, data=FORM)
    assert refused(classic, "csrf-origin")
    # Even holding a valid token (leaked somehow), a cross-site request is refused by origin.
    with_token = await victim.request("POST", "/transfer", CROSS_SITE, data={**FORM, "csrf_token": token})
    assert refused(with_token, "csrf-origin")
    events = [
        r for r in caplog.records if r.name == "sentinel.security" and r.sentinel["event"] == "csrf.refused"
    ]  # type: ignore[attr-defined]
    assert len(events) == 2 and all(r.levelno == logging.WARNING for r in events)
    assert events[0].sentinel["reason"] == "cross-site"  # type: ignore[attr-defined]
    assert events[0].sentinel["session"] is not None  # hashed, never the raw ID  # type: ignore[attr-defined]
    assert victim.cookie is not None and victim.cookie.split(".")[0] not in caplog.text


async def test_an_old_browser_sending_only_origin_is_judged_by_it(victim: Browser) -> None:
    token = await victim.token()
    response = await victim.request(
        "POST", "/transfer", {"origin": "https://evil.example"}, data={**FORM, "csrf_token": token}
    )
    assert refused(response, "csrf-origin")
    null = await victim.request("POST", "/transfer", {"origin": "null"}, data={**FORM, "csrf_token": token})
    assert refused(null, "csrf-origin")


async def test_a_missing_token_is_refused(victim: Browser) -> None:
    await victim.token()  # the victim has a session with a seed
    response = await victim.request("POST", "/transfer", SAME_ORIGIN, data=FORM)
    assert refused(response, "csrf-token-missing")
    json_without = await victim.request("POST", "/api", SAME_ORIGIN, json={"x": 1})
    assert refused(json_without, "csrf-token-missing")


async def test_a_token_from_before_login_fails_after_login(victim: Browser) -> None:
    anonymous = await victim.token()
    assert victim.cookie is None and victim.pre is not None  # bound to the pre-session: nothing stored
    login = await victim.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": anonymous})
    assert login.status_code == 200 and victim.cookie is not None
    assert victim.pre is None  # the login response expired the pre-session cookie
    stale = await victim.request("POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": anonymous})
    assert refused(stale, "csrf-token-invalid")
    fresh = login.json()["token"]  # issued by the login response itself, after the rotation
    ok = await victim.request("POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": fresh})
    assert ok.status_code == 200
    assert (
        await victim.request(
            "POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": await victim.token()}
        )
    ).status_code == 200


async def test_logging_in_again_even_as_the_same_user_retires_older_tokens(victim: Browser) -> None:
    first = (
        await victim.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": await victim.token()})
    ).json()["token"]
    await victim.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": first})
    again = await victim.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": first}, json={})
    assert refused(again, "csrf-token-invalid")


async def test_a_fixated_session_token_is_worthless_after_the_victim_logs_in(
    attacker: Browser, victim: Browser
) -> None:
    # The attacker gets a genuine anonymous session and its token, then plants the cookie on the victim.
    token = await attacker.token()
    victim.cookies = dict(attacker.cookies)  # pre-session cookie (and session, if any) planted
    await victim.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": token})
    # Same-site request forged with the attacker's known token after the victim logged in.
    forged = await victim.request("POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": token})
    assert refused(forged, "csrf-token-invalid")


async def test_another_sessions_token_is_refused(attacker: Browser, victim: Browser) -> None:
    mine = await attacker.token()
    await victim.token()
    response = await victim.request("POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": mine})
    assert refused(response, "csrf-token-invalid")


async def test_a_token_without_any_session_is_refused(victim: Browser, attacker: Browser) -> None:
    token = await attacker.token()
    response = await victim.request("POST", "/transfer", SAME_ORIGIN, data={**FORM, "csrf_token": token})
    assert refused(response, "csrf-token-invalid")


async def test_logout_retires_every_token(victim: Browser) -> None:
    token = (
        await victim.request("POST", "/login", {**SAME_ORIGIN, "x-csrf-token": await victim.token()})
    ).json()["token"]
    await victim.request("POST", "/logout", {**SAME_ORIGIN, "x-csrf-token": token})
    response = await victim.request("POST", "/api", {**SAME_ORIGIN, "x-csrf-token": token}, json={})
    assert refused(response, "csrf-token-invalid")


@pytest.mark.parametrize("garbage", ["", "x", "A" * TOKEN_LENGTH, "é" * 10, "!" * TOKEN_LENGTH])
async def test_malformed_tokens_are_refused(victim: Browser, garbage: str) -> None:
    await victim.token()
    response = await victim.request(
        "POST", "/api", {**SAME_ORIGIN, "x-csrf-token": garbage.encode()}, json={}
    )
    assert response.status_code == 403


async def test_safe_methods_never_need_a_token(victim: Browser) -> None:
    for method in ("GET", "HEAD", "OPTIONS"):
        response = await victim.request(method, "/read", CROSS_SITE)
        assert response.status_code == 200, method


async def test_exempt_paths_pass_without_a_token(victim: Browser) -> None:
    response = await victim.request("POST", "/webhooks/github", CROSS_SITE, content=b"payload")
    assert response.status_code == 200 and response.json() == {"bytes": 7}
    sneaky = await victim.request("POST", "/webhooks/../transfer", CROSS_SITE, data=FORM)
    assert sneaky.status_code == 403


async def test_without_the_middleware_the_attack_succeeds() -> None:
    """The control: the same cross-site post goes through when CSRFMiddleware is absent."""
    async with asgi_client(build(csrf=False)) as client:
        victim = Browser(client)
        response = await victim.request("POST", "/transfer", CROSS_SITE, data=FORM)
    assert response.status_code == 200 and response.json() == FORM


async def test_an_oversized_form_is_refused_before_buffering(victim: Browser) -> None:
    big = {"to": "x", "blob": "a" * 5000}
    async with asgi_client(build(max_body_bytes=4096)) as client:
        browser = Browser(client)
        token = await browser.token()
        response = await browser.request("POST", "/transfer", SAME_ORIGIN, data={**big, "csrf_token": token})
        assert response.status_code == 413
        assert response.json()["type"] == "urn:sentinel:problem:csrf-body-too-large"
        headed = await browser.request("POST", "/transfer", {**SAME_ORIGIN, "x-csrf-token": token}, data=big)
        assert headed.status_code == 200
