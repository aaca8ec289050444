"""Security headers: the presets, CSP nonces, the app's own headers, and configuration errors."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from sentinel.errors import ConfigurationError
from sentinel.headers import (
    BASIC,
    HSTS,
    STRICT,
    HeaderPolicy,
    NonceUnavailable,
    SecurityHeadersMiddleware,
    csp_nonce,
    policy_from_env,
)


def build(**options: Any) -> Starlette:
    async def page(request: Request) -> Response:
        nonce = csp_nonce(request)
        return HTMLResponse(f'<script nonce="{nonce}">go()</script><style nonce="{nonce}"></style>')

    async def plain(request: Request) -> Response:
        return PlainTextResponse("plain")

    async def own(request: Request) -> Response:
        headers = {
            "X-Frame-Options": "SAMEORIGIN",
            "Content-Security-Policy": "frame-ancestors https://partner",
        }
        return PlainTextResponse("embeddable", headers=headers)

    routes = [Route("/page", page), Route("/plain", plain), Route("/own", own)]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeadersMiddleware, **options)])


async def get(app: Starlette, path: str, scheme: str = "https") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as client:
        return await client.get(path)


async def test_basic_preset() -> None:
    response = await get(build(), "/plain")
    h = response.headers
    assert h["strict-transport-security"] == "max-age=31536000"
    assert h["content-security-policy"] == "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
    assert h["x-frame-options"] == "SAMEORIGIN"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "strict-origin-when-cross-origin"
    assert h["cross-origin-opener-policy"] == "same-origin-allow-popups"
    assert "cross-origin-resource-policy" not in h


async def test_strict_preset_without_a_nonce_allows_no_inline_code() -> None:
    response = await get(build(policy=STRICT), "/plain")
    h = response.headers
    assert h["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    csp = h["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "nonce" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert h["x-frame-options"] == "DENY" and h["referrer-policy"] == "no-referrer"
    assert h["cross-origin-opener-policy"] == "same-origin"
    assert h["cross-origin-resource-policy"] == "same-origin"
    assert h["permissions-policy"].startswith("camera=()")


async def test_the_nonce_in_the_page_is_the_one_the_policy_allows_and_is_fresh_per_response() -> None:
    app = build(policy=STRICT)
    nonces = []
    for _ in range(2):
        response = await get(app, "/page")
        (nonce,) = set(re.findall(r'nonce="([^"]+)"', response.text))
        csp = response.headers["content-security-policy"]
        assert f"script-src 'self' 'nonce-{nonce}';" in csp
        assert f"style-src 'self' 'nonce-{nonce}';" in csp
        assert len(nonce) >= 22  # 128 bits
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


async def test_a_nonce_directive_absent_from_the_policy_inherits_default_src() -> None:
    app = build(policy=HeaderPolicy(csp="default-src 'self'; img-src *"))
    response = await get(app, "/page")
    (nonce,) = set(re.findall(r'nonce="([^"]+)"', response.text))
    csp = response.headers["content-security-policy"]
    source = f"'self' 'nonce-{nonce}'"
    assert csp == f"default-src 'self'; img-src *; script-src {source}; style-src {source}"
    assert (await get(app, "/plain")).headers["content-security-policy"] == (
        "default-src 'self'; img-src *; script-src 'self'; style-src 'self'"
    )


async def test_hsts_only_on_https_unless_configured() -> None:
    assert "strict-transport-security" not in (await get(build(), "/plain", "http")).headers
    forced = await get(build(hsts_https_only=False), "/plain", "http")
    assert forced.headers["strict-transport-security"] == "max-age=31536000"


async def test_the_apps_own_headers_win_unless_overridden() -> None:
    kept = (await get(build(policy=STRICT), "/own")).headers
    assert kept.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert kept.get_list("content-security-policy") == ["frame-ancestors https://partner"]
    assert kept["referrer-policy"] == "no-referrer"  # the others are still added
    forced = (
        await get(
            build(policy=STRICT, override=frozenset({"X-Frame-Options", "content-security-policy"})), "/own"
        )
    ).headers
    assert forced.get_list("x-frame-options") == ["DENY"]
    assert forced.get_list("content-security-policy")[0].startswith("default-src 'self'")


async def test_report_only_mode_uses_the_report_only_header() -> None:
    h = (await get(build(policy=STRICT, csp_report_only=True), "/plain")).headers
    assert "content-security-policy" not in h
    assert h["content-security-policy-report-only"].startswith("default-src 'self'")


async def test_without_the_middleware_there_is_no_nonce() -> None:
    with pytest.raises(NonceUnavailable):
        csp_nonce({"type": "http"})


async def test_no_csp_means_no_nonce_holder() -> None:
    app = build(policy=HeaderPolicy(frame_options="DENY"))
    with pytest.raises(NonceUnavailable):
        await get(app, "/page")


def test_policies_report_every_problem_at_once() -> None:
    with pytest.raises(ConfigurationError) as error:
        HeaderPolicy(
            hsts=HSTS(preload=True),
            csp="script-src 'self'; script-src *",
            frame_options="ALLOW",  # type: ignore[arg-type]
            referrer_policy="sometimes",
            cross_origin_opener_policy="open",
            override=frozenset({"x-powered-by"}),
        )
    assert len(error.value.problems) == 6
    with pytest.raises(ConfigurationError):
        HeaderPolicy(csp="default-src 'self'\nX-Injected: 1")


async def test_websocket_scopes_pass_untouched() -> None:
    seen = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)

    await SecurityHeadersMiddleware(app, policy=STRICT)({"type": "websocket"}, None, None)  # type: ignore[arg-type]
    assert seen == [{"type": "websocket"}]


def test_policy_from_the_environment() -> None:
    assert policy_from_env({}) == BASIC
    strict = policy_from_env({"SENTINEL_HEADERS": "Strict", "SENTINEL_CSP_REPORT_ONLY": "yes"})
    assert strict.csp == STRICT.csp and strict.csp_report_only
    assert not policy_from_env({"SENTINEL_HSTS_HTTPS_ONLY": "0"}).hsts_https_only
    with pytest.raises(ConfigurationError, match="SENTINEL_HEADERS"):
        policy_from_env({"SENTINEL_HEADERS": "paranoid"})
