"""sentinel.protect(): settings from the environment, every problem at once, the order of guards."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.settings import SentinelSettings
from tests.sessions.conftest import KEY, no_cookie_jar

TOKEN = "operator-token-" + "t" * 40


def inner_app() -> Starlette:
    async def hello(request: Request) -> Response:
        return JSONResponse({"session": dict(request.session)})

    async def write(request: Request) -> Response:
        request.session["n"] = 1
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/", hello), Route("/write", write, methods=["POST"])])


def client(app: object, **kw: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="https://shop.test", cookies=no_cookie_jar(), **kw)  # type: ignore[arg-type]


def test_every_configuration_problem_is_reported_at_once() -> None:
    env = {
        "SENTINEL_PORT": "eighty",
        "SENTINEL_MAX_IN_FLIGHT": "lots",
        "SENTINEL_CSRF_MODE": "maybe",
        "SENTINEL_HEADERS": "paranoid",
    }
    with pytest.raises(sentinel.ConfigurationError) as info:
        SentinelSettings.from_env(env)
    text = " ".join(info.value.problems)
    for variable in ("SENTINEL_PORT", "SENTINEL_MAX_IN_FLIGHT", "SENTINEL_CSRF_MODE", "SENTINEL_HEADERS"):
        assert variable in text
    assert "SENTINEL_SECRET_KEYS" in text
    assert len(info.value.problems) >= 5


def test_repr_masks_secrets_and_redis_password() -> None:
    settings = SentinelSettings.from_env(
        {"SENTINEL_SECRET_KEYS": KEY, "SENTINEL_REDIS_URL": "redis://app:hunter2hunter2@cache:6379/0"}
    )
    text = repr(settings)
    assert KEY not in text and "hunter2" not in text
    assert "<1 keys>" in text and "***" in text


def test_defaults_bind_loopback_and_turn_every_guard_on() -> None:
    settings = SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": KEY})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert None not in (settings.xml, settings.csrf, settings.headers, settings.shedding)
    assert settings.health is None  # opt-in: no operator token configured


def test_turning_a_guard_off_warns_loudly() -> None:
    with pytest.warns(sentinel.SentinelUnsafeWarning, match="csrf guard is OFF"):
        SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": KEY, "SENTINEL_CSRF": "off"})


async def test_refusals_still_carry_request_id_and_security_headers() -> None:
    protected = sentinel.protect(inner_app(), secret_keys=[KEY])
    async with client(protected) as c:
        response = await c.get("/?sid=planted")
    assert response.status_code == 400  # the session guard refused it...
    assert response.headers["content-type"] == "application/problem+json"
    assert "x-request-id" in response.headers  # ...inside the request-ID middleware
    assert response.headers["x-content-type-options"] == "nosniff"  # ...and inside the headers one


async def test_cross_site_post_is_refused_and_same_site_form_with_token_passes() -> None:
    protected = sentinel.protect(inner_app(), secret_keys=[KEY])
    async with client(protected) as c:
        forged = await c.post("/write", headers={"origin": "https://evil.test"})
        assert forged.status_code == 403
        assert forged.json()["type"].startswith("urn:sentinel:problem:csrf")
        no_token = await c.post("/write", headers={"origin": "https://shop.test"})
        assert no_token.status_code == 403


async def test_xml_bomb_is_refused_behind_protect() -> None:
    with pytest.warns(sentinel.SentinelUnsafeWarning, match="csrf"):
        protected = sentinel.protect(inner_app(), secret_keys=[KEY], csrf=None)
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>'
    async with client(protected) as c:
        response = await c.post("/write", content=bomb, headers={"content-type": "application/xml"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_health_reports_the_very_stores_the_guards_use() -> None:
    settings = SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": KEY, "SENTINEL_HEALTH_TOKEN": TOKEN})
    protected = sentinel.protect(inner_app(), settings)
    async with client(protected) as c:
        hidden = await c.get("/healthz")
        assert hidden.status_code == 404  # no token: not even its existence is revealed
        report = await c.get("/healthz", headers={"authorization": f"Bearer {TOKEN}"})
    assert report.status_code == 200
    body = report.json()
    assert body["accepting_work"] is True
    assert body["checks"]["sessions"]["backend"] == "memory"
    assert "ratelimit" in body["checks"]
    assert TOKEN not in report.text


async def test_json_security_log_is_opt_in(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="sentinel.security")
    protected = sentinel.protect(inner_app(), secret_keys=[KEY])
    async with client(protected) as c:
        await c.get("/;jsessionid=SECRETVALUE")
    events = [r for r in caplog.records if r.name == "sentinel.security"]
    assert events and events[0].sentinel["request_id"]  # type: ignore[attr-defined]
    assert "SECRETVALUE" not in caplog.text


@pytest.mark.parametrize("keys", ["a-single-string-key-" + "x" * 40, ["changeme"], [b"x"], []])
def test_weak_or_malformed_keys_are_refused_through_protect(keys: object) -> None:
    with pytest.raises(sentinel.ConfigurationError, match="secret_keys"):
        sentinel.protect(inner_app(), secret_keys=keys)
