"""CSRF modes, settings, key rotation, and misuse that must fail loudly."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.csrf import CSRFMiddleware, CSRFNotInstalled, CSRFSettings, csrf_token, normalize_origin
from sentinel.errors import ConfigurationError
from sentinel.sessions import NoSessionError, SentinelUnsafeWarning
from tests.csrf.conftest import CROSS_SITE, KEY, SAME_ORIGIN, Browser, asgi_client, build

OLD_KEY = "csrf-old-key-" + "o" * 40


async def test_origin_mode_needs_no_token_but_refuses_requests_without_origin_evidence() -> None:
    async with asgi_client(build(mode="origin")) as client:
        browser = Browser(client)
        assert (await browser.request("POST", "/api", SAME_ORIGIN, json={})).status_code == 200
        assert (
            await browser.request("POST", "/api", {"origin": "https://testserver"}, json={})
        ).status_code == 200
        assert (await browser.request("POST", "/api", CROSS_SITE, json={})).status_code == 403
        bare = await browser.request("POST", "/api", json={})
        assert bare.status_code == 403 and "Origin" in bare.json()["detail"]


async def test_both_mode_lets_the_token_decide_when_there_is_no_origin_evidence() -> None:
    async with asgi_client(build()) as client:
        browser = Browser(client)
        token = await browser.token()
        assert (await browser.request("POST", "/api", {"x-csrf-token": token}, json={})).status_code == 200
        assert (await browser.request("POST", "/api", json={})).status_code == 403


async def test_token_mode_ignores_origin() -> None:
    async with asgi_client(build(mode="token")) as client:
        browser = Browser(client)
        token = await browser.token()
        response = await browser.request("POST", "/api", {**CROSS_SITE, "x-csrf-token": token}, json={})
        assert response.status_code == 200


async def test_trusted_origins_and_same_site() -> None:
    async with asgi_client(build(trusted_origins=frozenset({"https://admin.testserver:443"}))) as client:
        browser = Browser(client)
        token = await browser.token()
        trusted = {"origin": "https://admin.testserver", "sec-fetch-site": "same-site", "x-csrf-token": token}
        assert (await browser.request("POST", "/api", trusted, json={})).status_code == 200
        sibling = {"origin": "https://blog.testserver", "sec-fetch-site": "same-site", "x-csrf-token": token}
        assert (await browser.request("POST", "/api", sibling, json={})).status_code == 403
    with pytest.warns(SentinelUnsafeWarning):
        settings = CSRFSettings(allow_same_site=True)
    async with asgi_client(build(settings=settings)) as client:
        browser = Browser(client)
        token = await browser.token()
        sibling = {"origin": "https://blog.testserver", "sec-fetch-site": "same-site", "x-csrf-token": token}
        assert (await browser.request("POST", "/api", sibling, json={})).status_code == 200


async def test_old_key_tokens_verify_and_dropped_keys_do_not() -> None:
    from sentinel.csrf import TokenSigner
    from sentinel.keys import Secret
    from sentinel.sessions import Session

    session = Session(None)  # type: ignore[arg-type]  # a bare session: no store needed to sign
    old = TokenSigner([Secret(OLD_KEY)])
    token = old.issue(session)
    assert TokenSigner([Secret(KEY), Secret(OLD_KEY)]).verify(token, session)
    assert not TokenSigner([Secret(KEY)]).verify(token, session)


async def test_csrf_token_without_the_middleware_fails_loudly() -> None:
    with pytest.raises(CSRFNotInstalled):
        csrf_token({"type": "http"})


async def test_the_middleware_without_sessions_fails_loudly() -> None:
    async def write(request: Request) -> Response:
        return PlainTextResponse("no")  # pragma: no cover

    app = Starlette(
        routes=[Route("/w", write, methods=["POST"])],
        middleware=[Middleware(CSRFMiddleware, secret_keys=[KEY])],
    )
    async with asgi_client(app) as client:
        with pytest.raises(NoSessionError):
            await client.post("/w", headers={**SAME_ORIGIN, "x-csrf-token": "t" * 64})


def test_settings_report_every_problem_at_once() -> None:
    with pytest.raises(ConfigurationError) as error:
        CSRFSettings(
            mode="sometimes",  # type: ignore[arg-type]
            header_name="X CSRF",
            field_name="a&b",
            trusted_origins=frozenset({"https://ok.example/path"}),
            exempt_paths=("relative",),
            max_body_bytes=10,
        )
    assert len(error.value.problems) == 6
    with pytest.raises(ConfigurationError):
        CSRFMiddleware(None, secret_keys=["short"])  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        CSRFMiddleware(None, secret_keys=[KEY], settings=CSRFSettings(), mode="token")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("https://Example.COM", "https://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("http://example.com:8080/", "http://example.com:8080"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("ftp://example.com", None),
        ("https://example.com/path", None),
        ("https://user@example.com", None),
        ("https://example.com:99999", None),
        ("null", None),
    ],
)
def test_normalize_origin(raw: str, normal: str | None) -> None:
    assert normalize_origin(raw) == normal


async def test_non_http_scopes_pass() -> None:
    seen = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(scope["type"])

    await CSRFMiddleware(app, secret_keys=[KEY])({"type": "websocket"}, None, None)  # type: ignore[arg-type]
    assert seen == ["websocket"]
    assert sentinel.SessionMiddleware  # the CSRF middleware is meant to sit inside it


def test_settings_from_the_environment() -> None:
    env = {
        "SENTINEL_CSRF_MODE": "origin",
        "SENTINEL_CSRF_TRUSTED_ORIGINS": "https://a.example, https://b.example:8443",
        "SENTINEL_CSRF_EXEMPT_PATHS": "/hooks/*,/ping",
        "SENTINEL_CSRF_MAX_BODY": "4096",
    }
    settings = CSRFSettings.from_env(env)
    assert settings.mode == "origin" and settings.max_body_bytes == 4096
    assert settings.trusted_origins == frozenset({"https://a.example", "https://b.example:8443"})
    assert settings.exempt_paths == ("/hooks/*", "/ping")
    assert CSRFSettings.from_env({}) == CSRFSettings()
    with pytest.raises(ConfigurationError, match="SENTINEL_CSRF_MODE"):
        CSRFSettings.from_env({"SENTINEL_CSRF_MODE": "off"})
