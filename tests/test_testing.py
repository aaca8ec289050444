"""sentinel.testing: tokens found as a browser finds them, and why the base URL is https."""

from __future__ import annotations

import warnings

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

import sentinel
from sentinel.testing import SentinelClient, TokenNotFound, find_csrf_token
from tests.support.servers import TEST_KEY


def test_hidden_field_wins_and_entities_are_decoded() -> None:
    html = (
        '<meta name="csrf-token" content="from-meta">'
        "<form><input name='q'><input type=hidden value='a&amp;b' name='csrf_token'></form>"
    )
    assert find_csrf_token(html) == "a&b"


def test_meta_tag_when_no_form_has_one() -> None:
    assert find_csrf_token('<head><META content="tok" name="csrf-token"></head>') == "tok"


def test_no_token_says_how_to_render_one() -> None:
    with pytest.raises(TokenNotFound, match=r"csrf_token\(request\)"):
        find_csrf_token("<form><input name='q'></form>")


def test_plain_http_base_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="__Host-/Secure session cookie is never sent back"):
        SentinelClient(Starlette(), base_url="http://testserver")


async def counter(request: Request) -> Response:
    if request.method == "POST":
        request.session["n"] = int(request.session.get("n", 0)) + 1
        return PlainTextResponse(str(request.session["n"]))
    token = sentinel.csrf_token(request)
    return HTMLResponse(f'<form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>')


def app() -> sentinel.Protected:
    return sentinel.protect(
        Starlette(routes=[Route("/", counter, methods=["GET", "POST"])]), secret_keys=[TEST_KEY]
    )


def test_the_session_survives_between_requests_over_https() -> None:
    with SentinelClient(app()) as client:
        assert [client.submit("/").text for _ in range(3)] == ["1", "2", "3"]


def test_why_http_testserver_fails() -> None:
    """The pitfall the helper exists for: over http://testserver the __Host-/Secure cookie is never
    sent back, so the token from the page is bound to a session the next request does not carry."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's httpx deprecation warning, if httpx2 is absent
        client = TestClient(app())  # base_url http://testserver
    page = client.get("/")
    assert "__Host-" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
    token = find_csrf_token(page.text)
    refused = client.post("/", data={"csrf_token": token})
    assert refused.status_code == 403
    assert refused.json()["type"].startswith("urn:sentinel:problem:csrf-")
    assert "plain http to testserver" in refused.json()["detail"]  # the refusal names the real cause
