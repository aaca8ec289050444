"""The guard over real HTTP: uvicorn on 127.0.0.1, the same corpus, the example import route."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest

from tests.support.servers import serve
from tests.xml.corpus import ATTACKS, BENIGN

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve("tests.xml.apps:app") as url:
        yield url


def test_the_corpus_is_refused_over_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for attack in ATTACKS:
            if len(attack.body) > 64 * 1024:
                continue  # over this app's cap: answered 413 below
            response = client.post("/echo", content=attack.body, headers={"content-type": "application/xml"})
            assert response.status_code == 400, attack.name
            assert response.json()["type"] == f"urn:sentinel:problem:{attack.reason}", attack.name
        sniffed = next(a for a in ATTACKS if a.name == "doctype-after-comments-and-pis")
        response = client.post("/echo", content=sniffed.body, headers={"content-type": "text/plain"})
        assert response.status_code == 400


def test_benign_bodies_arrive_byte_for_byte_over_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for name, body in BENIGN:
            if len(body) > 64 * 1024:
                continue
            chunks = iter([body[i : i + 700] for i in range(0, len(body), 700)])  # chunked transfer
            response = client.post("/echo", content=chunks, headers={"content-type": "application/xml"})
            assert response.status_code == 200, name
            assert response.json() == {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}, name


def test_too_large_is_413_by_content_length_and_by_streaming(base_url: str) -> None:
    body = b"<a>" + b"x" * (80 * 1024) + b"</a>"
    with httpx.Client(base_url=base_url, timeout=10) as client:
        declared = client.post("/echo", content=body, headers={"content-type": "application/xml"})
        assert declared.status_code == 413
        assert declared.json()["type"] == "urn:sentinel:problem:xml-too-large"
        streamed = client.post(
            "/echo", content=iter([body[:40_000], body[40_000:]]), headers={"content-type": "application/xml"}
        )
        assert streamed.status_code == 413


def test_import_route_over_http(base_url: str) -> None:
    order = b"<order><item>apple</item><item> pear </item><note>ring twice</note></order>"
    with httpx.Client(base_url=base_url, timeout=10) as client:
        ok = client.post("/import", content=order, headers={"content-type": "application/xml"})
        assert ok.status_code == 200
        assert ok.json() == {"items": ["apple", "pear"], "note": "ring twice"}
        xxe = client.post("/import", content=ATTACKS[0].body, headers={"content-type": "application/xml"})
        assert xxe.status_code == 400 and xxe.json()["type"] == "urn:sentinel:problem:xml-dtd-forbidden"
        wrong = client.post("/import", content=b'{"order": 1}', headers={"content-type": "application/json"})
        assert wrong.status_code == 415
        not_order = client.post("/import", content=b"<invoice/>", headers={"content-type": "text/xml"})
        assert (
            not_order.status_code == 400 and not_order.json()["type"] == "urn:sentinel:problem:not-an-order"
        )
