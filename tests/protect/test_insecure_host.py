"""A dev server opened over plain http on a hostname: one warning per host naming the cause and fix.

Browsers refuse the Secure (__Host-) session cookie there, so no session survives; the warning is
what the server can say about it. Loopback names, https and TLS proxies are not warned about.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.insecure_host import MAX_HOSTS, is_loopback_name
from tests.support.servers import TEST_KEY


async def home(request: Request) -> Response:
    return PlainTextResponse("ok")


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "over plain http" in r.getMessage()]


async def get(app: object, base: str, path: str = "/", **headers: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client:  # type: ignore[arg-type]
        assert (await client.get(path, headers=headers)).status_code == 200


@pytest.fixture
def app() -> sentinel.Protected:
    return sentinel.protect(Starlette(routes=[Route("/", home)]), secret_keys=[TEST_KEY])


async def test_one_warning_per_non_loopback_host(app: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="sentinel")
    for _ in range(3):
        await get(app, "http://myhost:8000")
    await get(app, "http://other.test")
    found = warnings_in(caplog)
    assert len(found) == 2
    assert found[0].startswith("request to http://myhost:8000 over plain http")
    assert "__Host-sid" in found[0] and "http://localhost:8000" in found[0] and "https" in found[0]


@pytest.mark.parametrize(
    ("base", "headers"),
    [
        ("http://localhost:8000", {}),
        ("http://127.0.0.1:8000", {}),
        ("http://[::1]:8000", {}),
        ("http://shop.localhost", {}),
        ("https://myhost", {}),
        ("http://myhost", {"x-forwarded-proto": "https"}),
        ("http://myhost", {"forwarded": "for=203.0.113.9;proto=https"}),
    ],
)
async def test_no_warning_where_the_cookie_works(
    app: object, base: str, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sentinel")
    await get(app, base, **headers)
    assert warnings_in(caplog) == []


async def test_the_host_in_the_line_is_log_safe_and_the_hosts_are_bounded(
    app: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sentinel")
    await get(app, "http://evil.test", host='evil.test "FAKE=LINE"%0a')
    for n in range(MAX_HOSTS + 5):
        await get(app, f"http://h{n}.test")
    found = warnings_in(caplog)
    assert len(found) == MAX_HOSTS
    assert found[0].startswith("request to http://evil.testFAKELINE0a over")


def test_loopback_names() -> None:
    assert all(map(is_loopback_name, ["localhost", "LOCALHOST.", "a.localhost", "127.0.0.2", "[::1]"]))
    assert not any(map(is_loopback_name, ["myhost", "10.0.0.1", "localhost.example", "[2001:db8::1]"]))
