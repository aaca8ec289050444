"""The health endpoint: its content, who may read it, and how it hides from everyone else."""

from __future__ import annotations

import asyncio
import logging
import platform
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.breaker import CircuitBreaker
from sentinel.errors import ConfigurationError
from sentinel.health import HealthMiddleware, HealthSettings, is_loopback
from sentinel.shedding import LoadShedder, SheddingPolicy

TOKEN = "operator-token-0123456789-abcdefghijklmnopqrstuvwxyz"
OLD_TOKEN = "previous-operator-token-0123456789-abcdefghijklmnop"
ENV = {"SENTINEL_APP_VERSION": "2.4.1", "SENTINEL_COMMIT": "0a1b2c3d"}


class ReportsSecrets:
    """An app-defined check that (wrongly) reports a DSN with a password."""

    name = "billing"

    async def health(self) -> dict[str, Any]:
        return {
            "dsn_url": "postgresql://app:hunter2@db.internal/billing",
            "password": "hunter2",
            "state": "ok",
        }


class Stalls:
    async def health(self) -> dict[str, Any]:
        await asyncio.sleep(30)
        return {}  # pragma: no cover


class Fails:
    async def health(self) -> dict[str, Any]:
        raise ConnectionError("down")


def build(settings: HealthSettings, checks: Any = (), shedder: LoadShedder | None = None) -> Starlette:
    async def home(request: Request) -> Response:
        return PlainTextResponse("home")

    return Starlette(
        routes=[Route("/", home)],
        middleware=[Middleware(HealthMiddleware, settings=settings, checks=checks, shedder=shedder)],
    )


def client(app: Starlette, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_document_says_more_than_running() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=7))
    settings = HealthSettings.from_env(ENV, tokens=[TOKEN])
    store = sentinel.MemoryStore(max_sessions=10)
    app = build(settings, checks={"sessions": store, "shedder": shedder}, shedder=shedder)
    async with client(app) as c:
        response = await c.get("/healthz", headers=bearer(TOKEN))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    doc = response.json()
    assert doc["status"] == "ok" and doc["accepting_work"] is True
    assert doc["runtime"]["version"] == platform.python_version()
    assert doc["sentinel"]["version"] == sentinel.__version__
    assert doc["app"] == {"version": "2.4.1", "commit": "0a1b2c3d"}
    assert isinstance(doc["host"], str) and doc["host"]
    assert doc["load"]["max_in_flight"] == 7 and doc["load"]["in_flight"] == 0
    assert doc["checks"]["sessions"] == {
        "backend": "memory", "live_sessions": 0, "max_sessions": 10, "state": "ok", "ok": True,
    }  # fmt: skip
    assert doc["checks"]["shedder"]["ok"] is True
    assert doc["checked_at"].endswith("Z")


async def test_secrets_reported_by_a_check_are_redacted() -> None:
    app = build(HealthSettings(tokens=(TOKEN,)), checks=[ReportsSecrets()])
    async with client(app) as c:
        response = await c.get("/healthz", headers=bearer(TOKEN))
    assert "hunter2" not in response.text
    billing = response.json()["checks"]["billing"]
    assert billing["password"] == "[redacted]"
    assert billing["dsn_url"] == "postgresql://app:***@db.internal/billing"


async def test_a_stalled_or_failing_check_is_reported_not_waited_on() -> None:
    settings = HealthSettings(tokens=(TOKEN,), check_timeout=0.05)
    app = build(settings, checks={"stalls": Stalls(), "fails": Fails()})
    async with client(app) as c:
        doc = (await asyncio.wait_for(c.get("/healthz", headers=bearer(TOKEN)), 5)).json()
    assert doc["status"] == "degraded"
    assert doc["checks"]["stalls"] == {"ok": False, "error": "timeout"}
    assert doc["checks"]["fails"] == {"ok": False, "error": "ConnectionError"}


@pytest.mark.parametrize(
    ("peer", "headers", "loopback", "served"),
    [
        ("203.0.113.9", bearer(TOKEN), False, True),  # the operator's token, from anywhere
        ("203.0.113.9", bearer(OLD_TOKEN), False, True),  # the previous token still works (rotation)
        ("203.0.113.9", {}, False, False),  # no token
        ("203.0.113.9", bearer("x" * 48), False, False),  # wrong token
        ("203.0.113.9", {"authorization": f"Basic {TOKEN}"}, False, False),  # wrong scheme
        ("127.0.0.1", {}, False, False),  # loopback, but loopback trust is off
        ("127.0.0.1", {}, True, True),  # loopback trust on
        ("::1", {}, True, True),
        ("::ffff:127.0.0.1", {}, True, True),
        ("127.0.0.1", {"x-forwarded-for": "198.51.100.4"}, True, False),  # a proxy on the same host
        ("127.0.0.1", {"via": "1.1 proxy"}, True, False),
        ("127.0.0.1", bearer("x" * 48), True, False),  # a wrong token is refused even from loopback
        ("203.0.113.9", {}, True, False),  # loopback trust does not reach other peers
    ],
)
async def test_access(peer: str, headers: dict[str, str], loopback: bool, served: bool) -> None:
    app = build(HealthSettings(tokens=(TOKEN, OLD_TOKEN), allow_loopback=loopback))
    async with client(app, peer) as c:
        response = await c.get("/healthz", headers=headers)
    if served:
        assert response.status_code == 200 and "accepting_work" in response.json()
    else:
        # Exactly what any unknown path gets: the app's own 404, nothing that hints at health.
        async with client(app, peer) as c:
            unknown = await c.get("/no-such-page", headers=headers)
        assert response.status_code == unknown.status_code == 404
        assert response.text == unknown.text
        assert "accepting" not in response.text


async def test_a_wrong_token_is_logged_as_a_security_event(caplog: pytest.LogCaptureFixture) -> None:
    app = build(HealthSettings(tokens=(TOKEN,)))
    async with client(app, "203.0.113.9") as c:
        await c.get("/healthz", headers=bearer("y" * 48))
    (record,) = [r for r in caplog.records if r.name == "sentinel.security"]
    assert record.levelno == logging.WARNING
    assert record.sentinel["event"] == "health.refused"  # type: ignore[attr-defined]
    assert "y" * 48 not in caplog.text


async def test_head_has_no_body_and_other_methods_pass_to_the_app() -> None:
    app = build(HealthSettings(tokens=(TOKEN,)))
    async with client(app) as c:
        head = await c.head("/healthz", headers=bearer(TOKEN))
        post = await c.post("/healthz", headers=bearer(TOKEN))
    assert head.status_code == 200 and head.content == b""
    assert post.status_code == 404


async def test_an_overloaded_instance_answers_503_with_the_document() -> None:
    shedder = LoadShedder(SheddingPolicy(max_in_flight=1))
    assert shedder.try_admit()
    app = build(HealthSettings(tokens=(TOKEN,)), shedder=shedder)
    async with client(app) as c:
        response = await c.get("/healthz", headers=bearer(TOKEN))
    assert response.status_code == 503
    assert response.json()["status"] == "overloaded" and response.json()["load"]["in_flight"] == 1


async def test_a_breaker_can_be_listed_directly() -> None:
    breaker = CircuitBreaker("payments", failure_threshold=1, reset_timeout=60)
    breaker.record_failure()
    app = build(HealthSettings(tokens=(TOKEN,)), checks=[breaker])
    async with client(app) as c:
        doc = (await c.get("/healthz", headers=bearer(TOKEN))).json()
    assert doc["checks"]["payments"] == {"breaker": "open", "ok": False}
    assert doc["status"] == "degraded"


def test_settings_refuse_an_endpoint_nobody_can_read_and_short_tokens() -> None:
    with pytest.raises(ConfigurationError) as nobody:
        HealthSettings()
    assert "SENTINEL_HEALTH_TOKEN" in str(nobody.value)
    with pytest.raises(ConfigurationError):
        HealthSettings(tokens=("short",))
    with pytest.raises(ConfigurationError) as many:
        HealthSettings(path="health", allow_loopback=True, commit="<script>", check_timeout=0)
    assert len(many.value.problems) == 3


def test_settings_from_the_environment(tmp_path: Any) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    env = {
        **ENV,
        "SENTINEL_HEALTH_TOKEN_FILE": str(token_file),
        "SENTINEL_HEALTH_PATH": "/ops/health",
        "SENTINEL_HEALTH_ALLOW_LOOPBACK": "yes",
    }
    settings = HealthSettings.from_env(env)
    assert settings.path == "/ops/health" and settings.allow_loopback
    assert settings.tokens[0].reveal() == TOKEN.encode()
    assert TOKEN not in repr(settings)
    assert settings.app_version == "2.4.1" and settings.commit == "0a1b2c3d"
    with pytest.raises(ConfigurationError):
        HealthSettings.from_env({"SENTINEL_HEALTH_ALLOW_LOOPBACK": "maybe"})
    with pytest.raises(ConfigurationError):
        HealthSettings.from_env(ENV, allow_loopback=True, colour="red")


def test_middleware_reads_the_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTINEL_HEALTH_TOKEN", TOKEN)
    monkeypatch.setenv("SENTINEL_COMMIT", "feedbeef")

    async def app(scope: object, receive: object, send: object) -> None:  # pragma: no cover
        pass

    middleware = HealthMiddleware(app)  # type: ignore[arg-type]
    assert middleware.settings.commit == "feedbeef" and middleware.access.has_tokens


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.5") and is_loopback("::1") and is_loopback("::ffff:127.0.0.1")
    assert not is_loopback("10.0.0.1") and not is_loopback("testclient") and not is_loopback(None)
