"""Issue #12, item 6: a logged-in user's pages must never be kept by a shared cache or the browser's.

``GET /me`` in examples/app.py reads only ``get_session(request).user_id``, which does not touch the
session mapping, so its response went out with neither ``Cache-Control`` nor ``Vary: Cookie``: a
shared cache could serve alice's page to the next visitor, and Back after logout showed it from the
browser's cache. Now every response to a request with an authenticated session is private. Over real
HTTP against uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.browser import cookie_from, cookie_header, form_token, post
from tests.support.servers import serve

pytestmark = [pytest.mark.hostile, pytest.mark.e2e]

ALICE = {"username": "alice", "password": "correct horse battery staple"}


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serve("examples.app:app") as base:
        yield base


def directives(response: httpx.Response, name: str) -> set[str]:
    return {d.strip().lower() for value in response.headers.get_list(name) for d in value.split(",")}


def log_in(base: str) -> str:
    token, cookie = form_token(base, "/login")
    login = post(base, "/login", cookie, token=token, data=ALICE)
    assert login.status_code == 303, login.text
    session = cookie_from(login)
    assert session
    return session


def test_a_logged_in_users_page_is_private_and_varies_on_the_cookie(app_url: str) -> None:
    session = log_in(app_url)
    for path in ("/me", "/"):
        response = httpx.get(app_url + path, headers=cookie_header(session), timeout=10)
        assert response.status_code == 200
        assert {"private", "no-store"} <= directives(response, "cache-control"), (path, response.headers)
        assert "cookie" in directives(response, "vary"), (path, response.headers)
    assert httpx.get(app_url + "/me", headers=cookie_header(session), timeout=10).json() == {"user": "alice"}


def test_the_logout_response_is_private_too(app_url: str) -> None:
    session = log_in(app_url)
    token, cookie = form_token(app_url, "/", session)
    response = post(app_url, "/logout", cookie, token=token)
    assert response.status_code == 303
    assert {"private", "no-store"} <= directives(response, "cache-control")


def test_anonymous_public_pages_stay_cacheable_by_the_browser(app_url: str) -> None:
    """Only the pre-session cookie's first page is no-store; a returning anonymous visitor's page
    varies on the cookie but is not forced private (nothing user-specific is in it)."""
    _, cookie = form_token(app_url, "/")
    again = httpx.get(app_url + "/", headers=cookie_header(cookie), timeout=10)
    assert again.status_code == 200 and "set-cookie" not in again.headers
    assert "cookie" in directives(again, "vary")
    assert "private" not in directives(again, "cache-control")
