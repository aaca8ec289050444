"""Fault tests over real HTTP: Redis paused (SIGSTOP) and killed under load, behind protect().

Loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.browser import cookie_from, form_token, get, post
from tests.support.redis_server import private_redis
from tests.support.servers import serve

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

TOKEN = "operator-token-" + "t" * 40
ALICE = {"username": "alice", "password": "correct horse battery staple"}
#: The store's whole-operation deadline is 0.5 s; a request may also wait for the breaker's
#: bookkeeping and the loaded CI box. Anything near this bound would be a hang, not a slow answer.
NO_HANG = 3.0


def health(base: str) -> dict[str, object]:
    response = httpx.get(base + "/healthz", headers={"authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code in (200, 503)
    body: dict[str, object] = response.json()
    return body


def breaker(base: str) -> str:
    checks = health(base)["checks"]
    assert isinstance(checks, dict)
    return str(checks["sessions"]["breaker"])


def timed_me(base: str, cookie: str) -> tuple[int, float]:
    started = time.monotonic()
    response = get(base, "/me", cookie)
    return response.status_code, time.monotonic() - started


def wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)


def test_redis_paused_then_killed_under_load() -> None:
    with private_redis() as redis_server:
        env = {
            "SENTINEL_REDIS_URL": redis_server.url,
            "SENTINEL_HEALTH_TOKEN": TOKEN,
            "SENTINEL_PASSWORD_PROFILE": "owasp",
        }
        with serve("examples.app:app", env=env) as base, ThreadPoolExecutor(max_workers=8) as pool:
            token, cookie = form_token(base, "/login")
            login = post(base, "/login", cookie, token=token, data=ALICE)
            assert login.status_code == 303
            cookie = cookie_from(login)
            assert get(base, "/me", cookie).status_code == 200
            assert breaker(base) == "closed"

            redis_server.pause()
            results = list(pool.map(lambda _: timed_me(base, cookie), range(40)))
            assert {status for status, _ in results} == {503}
            assert max(elapsed for _, elapsed in results) < NO_HANG
            assert breaker(base) == "open"  # and the operator can see it

            redis_server.resume()
            wait_for(lambda: get(base, "/me", cookie).status_code == 200, 20)
            assert breaker(base) == "closed"

            redis_server.kill()
            results = list(pool.map(lambda _: timed_me(base, cookie), range(40)))
            assert {status for status, _ in results} == {503}
            assert max(elapsed for _, elapsed in results) < NO_HANG
            wait_for(lambda: breaker(base) == "open", 10)
