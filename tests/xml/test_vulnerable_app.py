"""The attack that succeeds without the guard and fails with it.

The app below parses request bodies with an lxml parser configured the unsafe way many apps still
are (entities resolved, DTDs loaded). Without the guard each payload reads a local secret file; with
the guard in front, the same requests get a 400 and the secret never leaves the server.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sentinel.xml import XMLGuardMiddleware

etree = pytest.importorskip("lxml.etree")

SECRET = "sentinel-test-secret-4f1c"


async def unsafe_parse(request: Request) -> Response:
    parser = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    root = etree.fromstring(await request.body(), parser=parser)
    return PlainTextResponse("".join(root.itertext()))


def payloads(secret_file: Path) -> list[tuple[str, bytes, str]]:
    uri = secret_file.as_uri()
    xxe = f'<!DOCTYPE order [<!ENTITY xxe SYSTEM "{uri}">]><order>&xxe;</order>'
    utf7 = '<?xml version="1.0" encoding="UTF-7"?>' + xxe.replace("<", "+ADw-").replace(">", "+AD4-").replace(
        "[", "+AFs-"
    ).replace("]", "+AF0-")
    return [
        ("file-xxe", xxe.encode(), "application/xml"),
        ("xxe-as-text-plain-after-a-comment", ("<!-- hi -->" + xxe).encode(), "text/plain"),
        ("utf16-xxe", ('<?xml version="1.0" encoding="UTF-16"?>' + xxe).encode("utf-16"), "application/xml"),
        ("utf7-xxe", utf7.encode("ascii"), "application/xml"),
        (
            "parameter-entities-via-an-attacker-dtd",
            f'<!DOCTYPE order [<!ENTITY % dtd SYSTEM "{_attacker_dtd(secret_file).as_uri()}">%dtd;]>'
            "<order>&leak;</order>".encode(),
            "application/xml",
        ),
    ]


def _attacker_dtd(secret_file: Path) -> Path:
    """The out-of-band stage: in the wild it is served over HTTP; a local file works the same."""
    dtd = secret_file.with_name("evil.dtd")
    dtd.write_text(
        f'<!ENTITY % file SYSTEM "{secret_file.as_uri()}">\n'
        "<!ENTITY % wrap \"<!ENTITY leak '%file;'>\">\n%wrap;\n"
    )
    return dtd


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


async def _post(app: Starlette, body: bytes, content_type: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.post("/", content=body, headers={"content-type": content_type})


async def test_the_payloads_work_against_the_unguarded_app(secret_file: Path) -> None:
    app = Starlette(routes=[Route("/", unsafe_parse, methods=["POST"])])
    leaked = [
        name for name, body, ctype in payloads(secret_file) if SECRET in (await _post(app, body, ctype)).text
    ]
    # UTF-7 and parameter entities both work in libxml2: every payload is a real attack.
    assert leaked == [name for name, _, _ in payloads(secret_file)]


async def test_the_guard_stops_every_payload(secret_file: Path) -> None:
    app = Starlette(
        routes=[Route("/", unsafe_parse, methods=["POST"])], middleware=[Middleware(XMLGuardMiddleware)]
    )
    for name, body, content_type in payloads(secret_file):
        response = await _post(app, body, content_type)
        assert response.status_code == 400, name
        assert SECRET not in response.text
