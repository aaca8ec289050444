"""Redis misconfiguration is found at start-up, and every message names Redis and SENTINEL_REDIS_URL.

Against the real Redis (database 15, and 99, which the server does not have) and a closed port; the
refusal is also checked through uvicorn itself, which must exit instead of serving 503s.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

import sentinel
from sentinel.breaker import CircuitBreaker
from sentinel.errors import ConfigurationError, StoreUnavailable
from sentinel.redis_client import RedisTimeouts, make_client, redis_url_problems
from sentinel.settings import SentinelSettings
from sentinel.startup import StartupError
from tests.support.servers import ROOT, TEST_KEY, free_port, serve

KEYS = [TEST_KEY]


def closed_port_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis://127.0.0.1:6379/abc", "database 'abc' is not a number"),
        ("redis://127.0.0.1:6379/0?db=x", "database 'x' is not a number"),
        ("http://127.0.0.1:6379/0", "scheme 'http'"),
        ("cache.internal:6379", "scheme 'cache.internal'"),
        ("localhost", "no scheme"),
        ("redis://127.0.0.1:99999/0", "port is not a number from 1 to 65535"),
        ("redis://127.0.0.1:port/0", "port is not a number from 1 to 65535"),
        ("redis:///0", "names no host"),
        ("unix://", "names no socket path"),
    ],
)
def test_bad_urls_are_refused_naming_the_variable(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        SentinelSettings(secret_keys=KEYS, redis_url=url)
    text = str(info.value)
    assert says in text
    assert "SENTINEL_REDIS_URL=" in text


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "redis://localhost",
        "rediss://user:pw@cache.internal:6380/3",
        "redis://:pw@127.0.0.1/15",
        "unix:///run/redis/redis.sock?db=2",
    ],
)
def test_good_urls_pass(url: str) -> None:
    assert redis_url_problems(url) == []


def test_the_password_is_never_echoed() -> None:
    with pytest.raises(ConfigurationError) as info:
        SentinelSettings(secret_keys=KEYS, redis_url="redis://app:hunter2hunter2@cache:6379/abc")
    assert "hunter2" not in str(info.value)


def test_url_problems_are_reported_with_the_other_settings_problems() -> None:
    with pytest.raises(ConfigurationError) as info:
        SentinelSettings.from_env({"SENTINEL_REDIS_URL": "redis://127.0.0.1/abc"})
    text = " | ".join(info.value.problems)
    assert "SENTINEL_SECRET_KEYS" in text and "database 'abc'" in text


def test_make_client_maps_a_bad_scheme_to_our_error() -> None:
    """redis-py would raise a bare ValueError; the store's own constructor says what to write."""
    with pytest.raises(ConfigurationError, match="use redis://host:6379/0"):
        make_client("http://127.0.0.1:6379", timeouts=RedisTimeouts())


def test_bad_startup_mode_is_named() -> None:
    with pytest.raises(ConfigurationError, match="SENTINEL_REDIS_STARTUP='maybe'"):
        SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": TEST_KEY, "SENTINEL_REDIS_STARTUP": "maybe"})


async def visit(request: Request) -> Response:
    request.session["visits"] = int(request.session.get("visits", 0)) + 1
    return PlainTextResponse(str(request.session["visits"]))


def protected(redis_url: str, **overrides: object) -> sentinel.Protected:
    inner = Starlette(routes=[Route("/visit", visit)])
    return sentinel.protect(inner, secret_keys=KEYS, redis_url=redis_url, **overrides)


@pytest.mark.redis
def test_reachable_redis_starts(redis_url: str) -> None:
    with TestClient(protected(redis_url), base_url="https://testserver") as client:
        assert client.get("/visit").text == "1"
        assert client.get("/visit").text == "2"


@pytest.mark.redis
def test_missing_database_refuses_to_start(redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/99"
    with pytest.raises(StartupError) as info, TestClient(protected(url)):
        pass  # pragma: no cover - the start-up must fail
    text = str(info.value)
    assert "DB index is out of range" in text and "SENTINEL_REDIS_URL" in text
    assert any("SENTINEL_REDIS_URL" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_closed_port_refuses_to_start(caplog: pytest.LogCaptureFixture) -> None:
    url = closed_port_url()
    with pytest.raises(StartupError) as info, TestClient(protected(url)):
        pass  # pragma: no cover - the start-up must fail
    text = str(info.value)
    assert f"Redis at {url}" in text
    assert "SENTINEL_REDIS_URL" in text and "SENTINEL_REDIS_STARTUP=degraded" in text


def test_degraded_mode_starts_logs_and_answers_503(caplog: pytest.LogCaptureFixture) -> None:
    url = closed_port_url()
    with TestClient(protected(url, redis_startup="degraded"), base_url="https://testserver") as client:
        response = client.get("/visit")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("Starting degraded" in m and "SENTINEL_REDIS_URL" in m for m in errors)


async def test_circuit_open_event_names_redis_and_the_setting(caplog: pytest.LogCaptureFixture) -> None:
    """At run time too: when the breaker opens, the line says it is Redis and which setting."""
    store = sentinel.RedisStore(closed_port_url(), breaker=None)
    caplog.set_level(logging.ERROR, logger="sentinel.security")
    for _ in range(3):
        with pytest.raises(StoreUnavailable):
            await store.load("0" * 43)
    await store.aclose()
    (record,) = [r for r in caplog.records if getattr(r, "sentinel", {}).get("event") == "store.circuit_open"]
    fields = record.sentinel  # type: ignore[attr-defined]
    assert "SENTINEL_REDIS_URL" in fields["hint"] and "Redis at redis://127.0.0.1:" in fields["hint"]
    assert fields["error"].startswith(("ConnectionError", "TimeoutError"))


def test_a_breaker_without_a_hint_logs_no_hint(caplog: pytest.LogCaptureFixture) -> None:
    breaker = CircuitBreaker("memory", failure_threshold=1)
    breaker.record_failure(RuntimeError("boom"))
    (record,) = [r for r in caplog.records if getattr(r, "sentinel", {}).get("event") == "store.circuit_open"]
    assert "hint" not in record.sentinel  # type: ignore[attr-defined]
    assert record.sentinel["error"] == "RuntimeError: boom"  # type: ignore[attr-defined]


@pytest.mark.e2e
def test_uvicorn_exits_with_the_reason_when_redis_is_down() -> None:
    """The real server: a closed port must stop uvicorn, not let it serve 503s, and say why."""
    port = free_port()
    env = {
        **os.environ,
        "SENTINEL_SECRET_KEYS": TEST_KEY,
        "SENTINEL_REDIS_URL": closed_port_url(),
        "PYTHONPATH": str(ROOT),
    }
    cmd = [sys.executable, "-m", "uvicorn", "tests.protect.startup_app:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--lifespan", "on"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode != 0
    assert "SENTINEL_REDIS_URL" in proc.stderr and "Refusing to start" in proc.stderr


@pytest.mark.e2e
@pytest.mark.redis
def test_uvicorn_serves_with_a_reachable_redis(redis_url: str) -> None:
    app = "tests.protect.startup_app:app"
    with serve(app, env={"SENTINEL_REDIS_URL": redis_url}) as base, httpx.Client(base_url=base) as client:
        assert client.get("/").text == "ok"
