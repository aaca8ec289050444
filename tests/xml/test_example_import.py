"""``POST /import`` on the hardened example app itself (examples.app:app), over real HTTP.

Passes once examples/app.py mounts ``examples.xml_import.import_route`` and the XML guard.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.browser import cookie_header, form_token
from tests.support.servers import serve
from tests.xml.corpus import ATTACKS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve("examples.app:app") as url:
        yield url


def browser(base_url: str) -> httpx.Client:
    """The example app is behind sentinel.protect(), CSRF included: send Origin, as every browser
    does on a POST, and the session's CSRF token from the home page's form."""
    token, cookie = form_token(base_url, "/")
    headers = {"origin": base_url, "x-csrf-token": token, **cookie_header(cookie)}
    return httpx.Client(base_url=base_url, timeout=10, headers=headers)


def test_example_app_imports_orders(base_url: str) -> None:
    order = b'<?xml version="1.0"?><order><item>apple</item><item>pear</item><note>ring twice</note></order>'
    with browser(base_url) as client:
        response = client.post("/import", content=order, headers={"content-type": "application/xml"})
    assert response.status_code == 200
    assert response.json() == {"items": ["apple", "pear"], "note": "ring twice"}


def test_example_app_guard_refuses_the_corpus(base_url: str) -> None:
    with browser(base_url) as client:
        for attack in ATTACKS:
            response = client.post(
                "/import", content=attack.body, headers={"content-type": "application/xml"}
            )
            assert response.status_code == 400, attack.name
            assert response.json()["type"] == f"urn:sentinel:problem:{attack.reason}", attack.name
        # The guard covers every route, not just /import: sniffed XML to the login form is refused.
        sniffed = next(a for a in ATTACKS if a.name == "xxe-file")
        login = client.post("/login", content=sniffed.body, headers={"content-type": "text/plain"})
        assert login.status_code == 400
