"""Refusals as an HTML page for browser navigations, JSON for everyone else (``sentinel/problem.py``),
through the whole ``protect()`` stack of examples/app.py: every guard, with the security headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.requests import Request

from sentinel.problem import Problem, back_path, is_navigation, problem_response
from sentinel.testing import SentinelClient

NAVIGATE = {"sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "accept": "text/html"}
ORIGIN = {"origin": "https://testserver", "sec-fetch-site": "same-origin"}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[SentinelClient]:
    monkeypatch.setenv("SENTINEL_SECRET_KEYS", "test-only-signing-key-0123456789-abcdefghijklmnop")
    monkeypatch.setenv("SENTINEL_PASSWORD_PROFILE", "owasp")
    from examples.app import create_app

    with SentinelClient(create_app()) as client:
        yield client


def scope(**headers: str) -> dict[str, object]:
    return {"type": "http", "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}


@pytest.mark.parametrize(
    ("headers", "navigation"),
    [
        ({"sec-fetch-mode": "navigate"}, True),
        ({"sec-fetch-mode": "no-cors", "sec-fetch-dest": "iframe"}, True),
        ({"sec-fetch-mode": "cors", "accept": "text/html"}, False),
        ({"accept": "text/html,application/xhtml+xml"}, True),
        ({"accept": "application/json"}, False),
        ({"accept": "*/*"}, False),
        ({}, False),
    ],
)
def test_is_navigation(headers: dict[str, str], navigation: bool) -> None:
    assert is_navigation(scope(**headers)) is navigation


@pytest.mark.parametrize(
    ("referer", "back"),
    [
        ("https://shop.example/cart?x=1", "/cart?x=1"),
        ("https://evil.example/cart", "/"),
        ("https://shop.example.evil.example/cart", "/"),
        ("javascript:alert(1)", "/"),
        ("https://shop.example//evil.example/", "/"),
        ("", "/"),
    ],
)
def test_the_back_link_stays_on_this_site(referer: str, back: str) -> None:
    assert back_path(scope(host="shop.example", referer=referer)) == back


def test_problem_response_with_the_request() -> None:
    problem = Problem(
        status=429, slug="too-many", title="Too many", detail="Wait <1> minute.", retry_after=60
    )
    request = Request(scope(**NAVIGATE))  # type: ignore[arg-type]
    html = problem_response(problem, request)
    assert html.media_type == "text/html; charset=utf-8" and html.headers["retry-after"] == "60"
    assert b"Wait &lt;1&gt; minute." in html.body
    assert problem_response(problem).media_type == "application/problem+json"


def test_a_csrf_refusal_page_carries_the_security_headers(client: SentinelClient) -> None:
    client.get("/")
    response = client.post("/cart", data={"csrf_token": "stale"}, headers={**ORIGIN, **NAVIGATE})
    assert response.status_code == 403 and response.headers["content-type"].startswith("text/html")
    assert "This page has expired" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in response.headers["content-security-policy"]


def test_an_xml_refusal_is_a_page_for_a_navigation_and_json_for_an_api(client: SentinelClient) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE order [<!ENTITY x "y">]><order><item>&x;</item></order>'
    token = client.csrf_token("/")
    headers = {**ORIGIN, "x-csrf-token": token, "content-type": "application/xml"}
    page = client.post("/import", content=bomb, headers={**headers, **NAVIGATE})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "urn:sentinel:problem:xml-" in page.text
    api = client.post("/import", content=bomb, headers=headers)
    assert api.status_code == 400 and api.headers["content-type"] == "application/problem+json"
