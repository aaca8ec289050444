"""Request IDs: propagated when safe, minted otherwise, echoed, and seen by security events."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sentinel.events import request_id, security_event
from sentinel.observability import RequestIdMiddleware, current_request_id

HEX32 = r"[0-9a-f]{32}"


def build(**options: object) -> Starlette:
    async def show(request: Request) -> Response:
        security_event("demo.event", outcome="seen", scope=request.scope)
        return JSONResponse(
            {
                "header": request.headers.get("x-request-id"),
                "events": request_id(request.scope),
                "context": current_request_id(),
            }
        )

    async def own(request: Request) -> Response:
        return PlainTextResponse("own", headers={"X-Request-ID": "set-by-app"})

    routes = [Route("/", show), Route("/own", own)]
    return Starlette(routes=routes, middleware=[Middleware(RequestIdMiddleware, **options)])


async def get(app: Starlette, path: str = "/", **headers: str | bytes) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(path, headers=headers)


async def test_a_safe_incoming_id_is_propagated_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    response = await get(build(), **{"x-request-id": "edge-7f3a.01_b"})
    assert response.headers["x-request-id"] == "edge-7f3a.01_b"
    assert response.json() == {
        "header": "edge-7f3a.01_b",
        "events": "edge-7f3a.01_b",
        "context": "edge-7f3a.01_b",
    }
    (record,) = [r for r in caplog.records if r.name == "sentinel.security"]
    assert record.sentinel["request_id"] == "edge-7f3a.01_b"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", "a" * 65, "new\\nline", "<script>", "ünïcode", "id;drop"],
)
async def test_an_unsafe_incoming_id_is_replaced_not_cleaned(incoming: str) -> None:
    response = await get(build(), **{"x-request-id": incoming.encode("utf-8")})
    echoed = response.headers["x-request-id"]
    assert echoed != incoming
    assert re.fullmatch(HEX32, echoed)
    assert response.json() == {"header": echoed, "events": echoed, "context": echoed}


async def test_a_missing_id_is_minted_fresh_per_request() -> None:
    app = build()
    first, second = (await get(app)).headers["x-request-id"], (await get(app)).headers["x-request-id"]
    assert first != second


async def test_incoming_ids_can_be_ignored() -> None:
    response = await get(build(trust_incoming=False), **{"x-request-id": "edge-1"})
    assert response.headers["x-request-id"] != "edge-1"
    assert response.json()["events"] == response.headers["x-request-id"]


async def test_the_apps_own_header_is_kept() -> None:
    response = await get(build(), "/own")
    assert response.headers.get_list("x-request-id") == ["set-by-app"]


async def test_the_context_variable_is_reset_after_the_request() -> None:
    await get(build())
    assert current_request_id() is None


async def test_a_bad_generator_is_refused() -> None:
    with pytest.raises(ValueError, match="request ID generator"):
        await get(build(generator=lambda: "not valid!"))


def test_levels_follow_the_seed(caplog: pytest.LogCaptureFixture) -> None:
    """ERROR only for operator action; the default WARNING for attacks; INFO for logins."""
    caplog.set_level(logging.INFO, logger="sentinel.security")
    security_event("session.login", outcome="rotated", level=logging.INFO)
    security_event("csrf.refused", outcome="refused")
    assert [r.levelno for r in caplog.records] == [logging.INFO, logging.WARNING]
