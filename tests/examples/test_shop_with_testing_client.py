"""examples/app.py tested as docs/testing.md tells users to: sentinel.testing.SentinelClient.

Tokens come from the rendered pages, as a browser gets them; nothing here reads Sentinel internals.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sentinel.testing import SentinelClient

# examples/app.py builds its app at import, from the environment: imported in the fixture, once
# the environment is set. These are its documented demo credentials.
DEMO_USER, DEMO_PASSWORD = "alice", "correct horse battery staple"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[SentinelClient]:
    monkeypatch.setenv("SENTINEL_SECRET_KEYS", "test-only-signing-key-0123456789-abcdefghijklmnop")
    monkeypatch.setenv("SENTINEL_PASSWORD_PROFILE", "owasp")
    from examples.app import create_app

    with SentinelClient(create_app()) as client:
        yield client


def test_log_in_add_to_cart_log_out(client: SentinelClient) -> None:
    assert client.login("/login", username=DEMO_USER, password=DEMO_PASSWORD).status_code == 303
    assert client.get("/me").json() == {"user": DEMO_USER}
    assert client.submit("/cart", form_page="/").json() == {"cart": 1}
    assert client.submit("/cart", form_page="/").json() == {"cart": 2}
    assert client.logout("/logout").status_code == 303
    assert client.get("/me").status_code == 401


def test_json_post_with_the_header_token(client: SentinelClient) -> None:
    """What page JavaScript does: the token in X-CSRF-Token (the page's hidden field here)."""
    response = client.post_json("/cart", {"item": 1}, token_page="/")
    assert response.status_code == 200 and response.json() == {"cart": 1}


def test_a_wrong_password_is_the_login_page_again(client: SentinelClient) -> None:
    response = client.login("/login", username=DEMO_USER, password="not it")
    assert response.status_code == 401 and 'name="csrf_token"' in response.text


def test_a_post_without_a_token_is_refused(client: SentinelClient) -> None:
    """The helper is not a bypass: the same client without the token is refused."""
    client.get("/")
    assert client.post("/cart", data={}).status_code == 403
