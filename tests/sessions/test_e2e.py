"""The attacks, over real HTTP against examples/app.py served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.browser import PRE, SID, cookie_from, form_token, get, merge, post
from tests.support.redis_server import private_redis
from tests.support.servers import serve

pytestmark = pytest.mark.e2e

ALICE = {"username": "alice", "password": "correct horse battery staple"}


def log_in(base: str, cookie: str | None = None) -> str:
    """Log alice in from a browser holding ``cookie``; returns the session cookie after login."""
    token, cookie = form_token(base, "/login", cookie)
    response = post(base, "/login", cookie, token=token, data=ALICE)
    assert response.status_code == 303 and response.headers["location"] == "/me"
    new = cookie_from(response)
    assert new
    return new


def anonymous_session(base: str) -> tuple[str, str]:
    """A genuine stored anonymous session, as a visitor who adds to the cart gets one:
    ``(cookies held, csrf token)``. (Viewing pages alone stores nothing.)"""
    token, cookie = form_token(base, "/")
    held = merge(cookie, post(base, "/cart", cookie, token=token))
    assert held and SID in held
    return held, token


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serve("examples.app:app") as base:
        yield base


def test_fixation_planted_cookie_is_worthless_after_login(app_url: str) -> None:
    # The attacker obtains a genuine anonymous session and plants its cookie in the victim's browser.
    attacker, _ = anonymous_session(app_url)
    victim = log_in(app_url, cookie=attacker)
    assert victim.split(".")[0] not in attacker
    assert get(app_url, "/me", victim).json() == {"user": "alice"}
    replay = get(app_url, "/me", attacker)
    assert replay.status_code == 401
    assert replay.headers["content-type"] == "application/problem+json"


def test_attacker_invented_cookie_is_never_adopted(app_url: str) -> None:
    invented = "A" * 43 + "." + "B" * 43
    _, issued = form_token(app_url, "/", invented)
    assert issued and issued != invented
    assert get(app_url, "/me", log_in(app_url, invented)).status_code == 200
    assert get(app_url, "/me", invented).status_code == 401


@pytest.mark.parametrize(
    "path", ["/me?sid=abc", "/me?JSESSIONID=abc", "/me;jsessionid=abc", "/me?__Host-sid=x"]
)
def test_session_id_in_url_is_refused(app_url: str, path: str) -> None:
    response = httpx.get(app_url + path, timeout=10)
    assert response.status_code == 400
    assert response.json()["type"] == "urn:sentinel:problem:session-id-in-url"


def test_logout_kills_the_server_side_copy(app_url: str) -> None:
    cookie = log_in(app_url)
    assert get(app_url, "/me", cookie).status_code == 200
    token, _ = form_token(app_url, "/", cookie)
    response = post(app_url, "/logout", cookie, token=token)
    assert cookie_from(response) == ""
    assert get(app_url, "/me", cookie).status_code == 401


def test_forged_or_truncated_cookie_is_refused(app_url: str) -> None:
    cookie = log_in(app_url)
    ident, signature = cookie.split(".")
    tampered_sig = ident + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    other_id = ("A" if ident[0] != "A" else "B") + ident[1:] + "." + signature
    for bad in (tampered_sig, other_id, cookie[:-3], ident):
        response = get(app_url, "/me", bad)
        assert response.status_code == 401
        assert cookie_from(response) == ""
    assert get(app_url, "/me", cookie).status_code == 200


def attributes(set_cookie: str) -> list[str]:
    return sorted(p.strip() for p in set_cookie.split(";")[1:])


def test_cookie_attributes_on_the_wire(app_url: str) -> None:
    response = get(app_url, "/")  # the page's CSRF token gives the visitor a pre-session cookie only
    (header,) = response.headers.get_list("set-cookie")
    assert header.startswith(f"{PRE}=")
    assert attributes(header) == ["HttpOnly", "Path=/", "SameSite=Lax", "Secure"]
    assert response.headers["cache-control"] == "private, no-store"
    token, cookie = form_token(app_url, "/")
    cart = post(app_url, "/cart", cookie, token=token)  # the first write stores a session
    assert cart.json() == {"cart": 1}
    (header,) = cart.headers.get_list("set-cookie")
    assert header.startswith(f"{SID}=")
    assert attributes(header) == ["HttpOnly", "Path=/", "SameSite=Lax", "Secure"]
    cookie = merge(cookie, cart)
    again = post(app_url, "/cart", cookie, token=token)
    assert again.json() == {"cart": 2}
    assert again.headers.get_list("set-cookie") == []  # same session: no cookie on every response


@pytest.mark.redis
def test_two_processes_share_sessions_through_redis(redis_url: str) -> None:
    env = {"SENTINEL_REDIS_URL": redis_url}
    with serve("examples.app:app", env=env) as first, serve("examples.app:app", env=env) as second:
        cookie = log_in(first)
        assert get(second, "/me", cookie).json() == {"user": "alice"}
        token, _ = form_token(second, "/", cookie)
        post(second, "/logout", cookie, token=token)
        assert get(first, "/me", cookie).status_code == 401


@pytest.mark.redis
def test_redis_stopped_mid_run_gives_fast_503_then_recovers() -> None:
    with (
        private_redis() as redis_server,
        serve("examples.app:app", env={"SENTINEL_REDIS_URL": redis_server.url}) as base,
    ):
        cookie = log_in(base)
        assert get(base, "/me", cookie).status_code == 200
        redis_server.pause()  # SIGSTOP: the worst case, a server that accepts but never answers
        for _ in range(4):
            started = time.monotonic()
            response = get(base, "/me", cookie)
            elapsed = time.monotonic() - started
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["retry-after"]) >= 1
            assert elapsed < 3.0  # bounded by the 0.5 s operation timeout, never a hang
        redis_server.resume()
        deadline = time.monotonic() + 20
        while get(base, "/me", cookie).status_code != 200:
            assert time.monotonic() < deadline, "sessions did not recover after Redis came back"
            time.sleep(0.25)
