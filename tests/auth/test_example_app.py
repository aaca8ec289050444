"""examples/app.py over real HTTP: a brute force is locked out, alice still gets in from elsewhere.

The app listens on 127.0.0.1; the clients connect *from* different loopback addresses (127.0.0.2,
127.0.0.3), so the server sees genuinely different client IPs without trusting any header.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.browser import SID, cookie_from
from tests.support.servers import serve

pytestmark = pytest.mark.e2e

ALICE = {"username": "alice", "password": "correct horse battery staple"}


def client_from(address: str, base: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    # Origin, as every browser sends on a POST: the app's CSRF guard requires it (or a token).
    headers = {"origin": base}
    return httpx.Client(
        base_url=base, transport=transport, timeout=10, follow_redirects=False, headers=headers
    )


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serve("examples.app:app", env={"SENTINEL_PASSWORD_PROFILE": "owasp"}) as base:
        yield base


def with_token(client: httpx.Client) -> dict[str, str]:
    """Visit the login page like a browser; the headers that carry its session and CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return {"cookie": page.headers["set-cookie"].split(";", 1)[0], "x-csrf-token": token.group(1)}


def test_brute_force_is_locked_out_but_alice_logs_in_from_another_ip(app_url: str) -> None:
    with client_from("127.0.0.2", app_url) as attacker, client_from("127.0.0.3", app_url) as alice:
        statuses = []
        form = with_token(attacker)
        for attempt in range(15):
            guess = {"username": "alice", "password": f"guess{attempt}"}
            statuses.append(attacker.post("/login", data=guess, headers=form).status_code)
        assert statuses[0] == 401
        assert statuses[-1] == 429
        locked = attacker.post("/login", data=ALICE, headers=form)  # right password, locked-out pair
        assert locked.status_code == 429
        assert locked.headers["content-type"] == "application/problem+json"
        assert int(locked.headers["retry-after"]) >= 1
        response = alice.post("/login", data=ALICE, headers=with_token(alice))
        assert response.status_code == 303, response.text
        cookie = f"{SID}={cookie_from(response)}"
        assert alice.get("/me", headers={"cookie": cookie}).json() == {"user": "alice"}
