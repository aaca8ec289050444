"""examples/app.py over real HTTP: a brute force is locked out, alice still gets in from elsewhere.

The app listens on 127.0.0.1; the clients connect *from* different loopback addresses (127.0.0.2,
127.0.0.3), so the server sees genuinely different client IPs without trusting any header.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.servers import serve

pytestmark = pytest.mark.e2e

ALICE = {"username": "alice", "password": "correct horse battery staple"}


def client_from(address: str, base: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base, transport=transport, timeout=10, follow_redirects=False)


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serve("examples.app:app", env={"SENTINEL_PASSWORD_PROFILE": "owasp"}) as base:
        yield base


def test_brute_force_is_locked_out_but_alice_logs_in_from_another_ip(app_url: str) -> None:
    with client_from("127.0.0.2", app_url) as attacker, client_from("127.0.0.3", app_url) as alice:
        statuses = []
        for attempt in range(15):
            response = attacker.post("/login", data={"username": "alice", "password": f"guess{attempt}"})
            statuses.append(response.status_code)
        assert statuses[0] == 401
        assert statuses[-1] == 429
        locked = attacker.post("/login", data=ALICE)  # the right password, from the locked-out pair
        assert locked.status_code == 429
        assert locked.headers["content-type"] == "application/problem+json"
        assert int(locked.headers["retry-after"]) >= 1
        response = alice.post("/login", data=ALICE)
        assert response.status_code == 303, response.text
        cookie = response.headers["set-cookie"].split(";", 1)[0]
        assert alice.get("/me", headers={"cookie": cookie}).json() == {"user": "alice"}
