"""Property-based tests: hostile bytes never crash the guard or the parser, and the two agree."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sentinel.xml as sx
from sentinel.types import Message, Receive, Scope, Send
from tests.xml.conftest import http_scope, scripted_receive

LIMITS = sx.XMLLimits(max_bytes=4096, max_depth=8, max_elements=50, max_attributes=4)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments that steer generated input into the interesting corners of XML.
TOKENS = st.sampled_from(
    [
        '<?xml version="1.0"?>',
        '<?xml version="1.0" encoding="UTF-16"?>',
        '<?xml version="1.0" encoding="UTF-7"?>',
        '<?xml version="1.0" encoding="ISO-8859-1"?>',
        "<!DOCTYPE a [",
        '<!ENTITY e "x">',
        '<!ENTITY % p SYSTEM "file:///etc/passwd">',
        "%p;",
        "]>",
        '<!DOCTYPE a SYSTEM "http://x/a.dtd">',
        "<a>",
        "</a>",
        "<b/>",
        '<c x="1" y="2">',
        "</c>",
        '<d xmlns:xi="http://www.w3.org/2001/XInclude">',
        '<xi:include href="x"/>',
        "&e;",
        "&amp;",
        "&#x41;",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<?pi x?>",
        " ",
        "\n",
        "text",
        "\ufeff",
        "é",
        "+ADw-",
    ]
)
XMLISH = st.lists(TOKENS, max_size=25).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32", "utf-7", "latin-1"])


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=600))
    text = draw(XMLISH)
    return text.encode(draw(ENCODINGS), errors="replace")


def outcome(call: Any, data: bytes) -> str:
    try:
        call(data)
    except sx.XMLError as exc:
        return exc.reason
    return "accepted"


async def _guard(body: bytes, content_type: bytes, chunk: int) -> tuple[list[Message], list[bytes]]:
    received: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        parts = [message["body"]]
        while message.get("more_body"):
            message = await receive()
            parts.append(message["body"])
        received.append(b"".join(parts))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages: list[Message] = [
        {"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
        for i, piece in enumerate(pieces)
    ]
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    guard = sx.XMLGuardMiddleware(app, limits=LIMITS, inspect_form_fields=True)
    await guard(http_scope([(b"content-type", content_type)]), scripted_receive(messages, []), send)
    return sent, received


@PROPERTY
@given(
    body=hostile_bytes(),
    content_type=st.sampled_from([b"application/xml", b"text/plain", b"application/x-www-form-urlencoded"]),
    chunk=st.integers(min_value=1, max_value=700),
)
def test_the_guard_never_crashes_and_either_passes_the_body_unchanged_or_refuses(
    body: bytes, content_type: bytes, chunk: int
) -> None:
    sent, received = asyncio.run(_guard(body, content_type, chunk))
    status = sent[0]["status"]
    if status == 200:
        assert received == [body]
    else:
        assert received == []
        assert status in (400, 413)
        assert json.loads(sent[1]["body"])["type"].startswith("urn:sentinel:problem:xml-")


@PROPERTY
@given(body=hostile_bytes())
def test_the_parse_api_raises_only_its_own_errors(body: bytes) -> None:
    for allow_dtd in (False, True):
        with contextlib.suppress(sx.XMLError):  # any other exception fails the test
            sx.fromstring(body, limits=LIMITS, allow_dtd=allow_dtd)


@PROPERTY
@given(body=hostile_bytes(), chunk=st.integers(min_value=1, max_value=64))
def test_the_guard_and_the_parse_api_agree(body: bytes, chunk: int) -> None:
    """Same document, same verdict and reason, however the guard receives it."""

    def inspect_in_chunks(data: bytes) -> None:
        inspector = sx.XMLInspector(LIMITS)
        for start in range(0, len(data), chunk):
            inspector.feed(data[start : start + chunk])
        inspector.close()

    assert outcome(inspect_in_chunks, body) == outcome(lambda d: sx.fromstring(d, limits=LIMITS), body)


NAMES = st.sampled_from(["a", "b", "order", "item", "p:x", "note"])
# Characters XML allows in content (no controls, surrogates or unassigned code points).
TEXT = st.text(alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), max_size=20)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(NAMES)
    attributes = draw(st.dictionaries(st.sampled_from(["id", "k", "v"]), TEXT, max_size=3))
    rendered = "".join(f' {k}="{_escape(v)}"' for k, v in attributes.items())
    ns = ' xmlns:p="urn:p"' if depth == 0 else ""
    children = draw(st.lists(documents(depth + 1), max_size=2)) if depth < 3 else []  # <= 15 elements
    text = _escape(draw(TEXT))
    return f"<{name}{ns}{rendered}>{text}{''.join(children)}</{name}>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace("\r", "&#13;")


@PROPERTY
@given(document=documents(), encoding=st.sampled_from(["utf-8", "utf-16"]), chunk=st.integers(1, 100))
def test_well_formed_documents_pass_byte_for_byte(document: str, encoding: str, chunk: int) -> None:
    body = f'<?xml version="1.0" encoding="{encoding.upper()}"?>{document}'.encode(encoding)
    sent, received = asyncio.run(_guard(body, b"application/xml", chunk))
    assert sent[0]["status"] == 200 and received == [body]
    assert sx.fromstring(body, limits=LIMITS).tag == sx.fromstring(document).tag
