"""Login, the oracle and re-login; check selection and the skip reasons; the active-check seam; and
in-process attacks on small apps where one property is toggled (the attack succeeds without it)."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from scanner import Confidence, ScanConfigError, Severity, exit_code
from scanner.checks import CheckKind, CheckSpec, register, select
from scanner.checks._registry import unregister
from scanner.checks.brute_force import growing_delay
from scanner.checks.cookie_flags import cookie_problems
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Finding, Rule
from scanner.http import parse_set_cookie
from tests.scanner.conftest import login_config, scan_app


def session_app(
    *,
    rotate: bool = True,
    end_old: bool = True,
    throttle_after: int | None = None,
    forget_after: int | None = None,
    json_login: bool = False,
    delay: float = 0.0,
) -> Starlette:
    """A tiny app whose session properties are switchable, to prove each check can fail and pass."""
    sessions: dict[str, str | None] = {}
    state = {"failures": 0, "requests": 0}

    def current(request: Request) -> str | None:
        sid = request.cookies.get("sid")
        return sid if sid in sessions else None

    def with_cookie(response: Response, sid: str) -> Response:
        response.set_cookie("sid", sid, httponly=True, secure=True, samesite="strict")
        return response

    async def home(request: Request) -> Response:
        sid = current(request)
        response = HTMLResponse('<a href="/login">login</a><a href="/me">me</a>')
        if sid is None:
            sid = secrets.token_urlsafe(32)
            sessions[sid] = None
            with_cookie(response, sid)
        return response

    async def login_page(request: Request) -> Response:
        return HTMLResponse(
            '<form method="post"><input name="username"><input type="password" name="password"></form>'
        )

    async def login(request: Request) -> Response:
        data = await (request.json() if json_login else request.form())
        if throttle_after is not None and state["failures"] >= throttle_after:
            return PlainTextResponse("slow down", status_code=429, headers={"retry-after": "60"})
        if delay:
            await asyncio.sleep(delay * state["failures"])
        if data.get("username") != "alice" or data.get("password") != "correct horse battery staple":
            state["failures"] += 1
            return PlainTextResponse("no", status_code=401)
        old = current(request)
        sid = secrets.token_urlsafe(32) if (rotate or old is None) else old
        if old is not None and old != sid:
            if end_old:
                del sessions[old]
            else:  # the bug: the old ID is logged in too, then "rotated away" but never ended
                sessions[old] = "alice"
        sessions[sid] = "alice"
        return with_cookie(RedirectResponse("/me", status_code=303), sid)

    async def logout(request: Request) -> Response:
        sid = current(request)
        if sid:
            del sessions[sid]
        return RedirectResponse("/", status_code=303)

    async def me(request: Request) -> Response:
        state["requests"] += 1
        sid = current(request)
        if forget_after and state["requests"] % forget_after == 0 and sid:
            sessions[sid] = None
        if sid is None or sessions[sid] is None:
            return JSONResponse({"error": "login"}, status_code=401)
        return JSONResponse({"user": sessions[sid]})

    return Starlette(
        routes=[
            Route("/", home),
            Route("/login", login_page, methods=["GET"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/me", me),
        ]
    )


def rules(result: Any) -> set[str]:
    return {f.rule.id for f in result.findings}


SESSION_CHECKS = frozenset({"session-fixation", "session-valid-after-logout"})


async def test_fixation_is_found_only_when_the_old_id_survives_login() -> None:
    safe = await scan_app(session_app(), login=login_config(), checks=SESSION_CHECKS)
    kept = await scan_app(session_app(rotate=False), login=login_config(), checks=SESSION_CHECKS)
    lingering = await scan_app(session_app(end_old=False), login=login_config(), checks=SESSION_CHECKS)
    assert safe.complete and "SNT103" not in rules(safe)
    assert "SNT103" in rules(kept)
    finding = next(f for f in lingering.findings if f.rule.id == "SNT103")
    assert "old one was not ended" in finding.message and finding.confidence is Confidence.CONFIRMED


async def test_brute_force_passes_on_429_and_flags_an_unthrottled_login() -> None:
    check = frozenset({"login-brute-force"})
    open_login = await scan_app(session_app(), login=login_config(), checks=check)
    limited = await scan_app(session_app(throttle_after=5), login=login_config(), checks=check)
    assert "SNT114" in rules(open_login)
    assert "SNT114" not in rules(limited)
    status = {c.name: c for c in limited.checks}["login-brute-force"]
    assert status.status == "passed" and "HTTP 429" in status.reason


def test_growing_delay_detects_a_tarpit_but_not_noise() -> None:
    assert growing_delay([0.1] * 10 + [1.5] * 10) is not None
    assert growing_delay([0.1, 0.3, 0.1, 0.2, 0.15, 0.25]) is None


async def test_json_login_and_the_oracle() -> None:
    result = await scan_app(
        session_app(json_login=True),
        login=login_config(format="json"),
        checks=frozenset({"session-fixation"}),
    )
    assert result.complete, result.incomplete


async def test_wrong_password_makes_the_scan_incomplete() -> None:
    from sentinel.keys import Secret

    result = await scan_app(
        session_app(), login=login_config(password=Secret("wrong")), checks=SESSION_CHECKS
    )
    assert not result.complete and "login" in result.incomplete[0]
    assert exit_code(result) == 2
    assert {c.status for c in result.checks} == {"skipped"}


async def test_a_lost_session_is_recovered_by_logging_in_again() -> None:
    result = await scan_app(
        session_app(forget_after=3), login=login_config(), checks=frozenset({"cookie-flags"})
    )
    assert result.complete
    assert any("logged in again" in n for n in result.notes)


async def test_checks_that_need_a_login_say_so() -> None:
    result = await scan_app(session_app())
    reasons = {c.name: c.summary for c in result.checks}
    assert reasons["session-fixation"] == "skipped: no login configured"
    assert reasons["session-valid-after-logout"] == "skipped: no login configured"
    # Without a login the cookie checks still run, on the session cookie seen while crawling.
    cookie_rules = {f.rule.id for f in result.findings if f.rule.name.startswith("cookie-")}
    assert cookie_rules == {"SNT111"}  # "sid" is HttpOnly, Secure, SameSite=strict, but not __Host-
    # The brute-force check finds the crawled password form by itself.
    assert {c.name: c.status for c in result.checks}["login-brute-force"] == "failed"


def test_selection_by_name_or_rule_and_unknown_names() -> None:
    assert [s.name for s in select(["SNT103"])] == ["session-fixation"]
    assert "cookie-flags" not in [s.name for s in select([], ["SNT110"])]
    with pytest.raises(ScanConfigError, match="unknown check 'nope'"):
        select(["nope"])


def test_cookie_problems() -> None:
    weak = parse_set_cookie("sid=x; Domain=example.com; Max-Age=60; SameSite=None")
    found = {(r.id, s) for r, s, _, _ in cookie_problems(weak, https=True, host="app.example.com")}  # type: ignore[arg-type]
    assert found == {
        ("SNT108", Severity.MEDIUM),
        ("SNT109", Severity.MEDIUM),
        ("SNT110", Severity.MEDIUM),
        ("SNT111", Severity.INFO),
        ("SNT112", Severity.MEDIUM),
        ("SNT113", Severity.LOW),
    }
    strong = parse_set_cookie("__Host-sid=x; Path=/; Secure; HttpOnly; SameSite=Lax")
    assert cookie_problems(strong, https=True, host="example.com") == []  # type: ignore[arg-type]
    fake_host = parse_set_cookie("__Host-sid=x; Path=/app; Secure; HttpOnly; SameSite=Lax")
    assert [r.id for r, *_ in cookie_problems(fake_host, https=True, host="h")] == ["SNT111"]  # type: ignore[arg-type]


ACTIVE_RULE = Rule(id="SNT999", name="test-active", cwe=20, severity=Severity.INFO, summary="test only")


async def test_active_checks_run_once_per_insertion_point() -> None:
    points: list[InsertionPoint] = []

    async def run(ctx: Any, point: InsertionPoint) -> list[Finding]:
        points.append(point)
        async with ctx.engine.probe("active", crafted=True) as probe:
            answer = await probe.send(point.inject("<probe>"))
        return [
            ctx.finding(
                ACTIVE_RULE,
                confidence=Confidence.TENTATIVE,
                method=answer.method,
                url=answer.url,
                parameter=point.parameter.name,
                message="seen",
            )
        ]

    register(
        CheckSpec(name="test-active", kind=CheckKind.ACTIVE, rules=(ACTIVE_RULE,), run=run, module=__name__)
    )
    try:
        from examples.vulnerable_sessions import app

        result = await scan_app(app, checks=frozenset({"test-active"}))
    finally:
        unregister("test-active")
    names = {(p.endpoint.url.rsplit("/", 1)[-1], p.parameter.name) for p in points}
    assert ("notes", "q") in names
    assert any(f.parameter == "q" and f.rule.id == "SNT999" for f in result.findings)
