"""The guard whatever the client's piece size: tiny messages neither slip an attack past it nor cost
it quadratic time, and requests without a body are never read.

Expat is fed in pieces that grow with the document (``sentinel.xml.screen``); these tests hold the
guard's verdicts and its replay to what they were when every message was fed as it came. The cost
itself is measured in ``bench/bench_xml.py`` (``python -m bench xml``), never asserted here.
"""

from __future__ import annotations

import json

import pytest

import sentinel.xml as sx
from sentinel.types import Message, Receive, Scope, Send
from sentinel.xml.screen import COALESCE_BYTES
from tests.xml.conftest import http_scope, scripted_receive
from tests.xml.corpus import ATTACKS, BENIGN, Attack

XML = (b"content-type", b"application/xml")


def pieces(body: bytes, size: int) -> list[Message]:
    chunks = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    return [
        {"type": "http.request", "body": c, "more_body": n < len(chunks) - 1} for n, c in enumerate(chunks)
    ]


class App:
    """Records every message the app receives, in order, until the body is complete."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            self.messages.append(message)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def run(guard: sx.XMLGuardMiddleware, scope: Scope, messages: list[Message]) -> tuple[int, bytes]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await guard(scope, scripted_receive(messages, []), send)
    return int(sent[0]["status"]), b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
@pytest.mark.parametrize("size", [1, 5, 4096])
async def test_every_attack_is_refused_whatever_the_piece_size(attack: Attack, size: int) -> None:
    app = App()
    status, body = await run(sx.XMLGuardMiddleware(app), http_scope([XML]), pieces(attack.body, size))
    assert status == 400
    assert json.loads(body)["type"] == f"urn:sentinel:problem:{attack.reason}"
    assert app.messages == []


@pytest.mark.parametrize("content_type", [b"application/xml", b"text/plain"])
async def test_a_doctype_split_across_messages_is_refused(content_type: bytes) -> None:
    """``<!DOC`` | ``TYPE``: neither half is a DOCTYPE; the sniffer and the inspector see the whole."""
    parts = [b"<!DOC", b"TYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>", b"<r>&x;</r>"]
    messages: list[Message] = [
        {"type": "http.request", "body": p, "more_body": n < len(parts) - 1} for n, p in enumerate(parts)
    ]
    app = App()
    scope = http_scope([(b"content-type", content_type)])
    status, body = await run(sx.XMLGuardMiddleware(app), scope, messages)
    assert status == 400 and json.loads(body)["type"] == "urn:sentinel:problem:xml-dtd-forbidden"
    assert app.messages == []


#: One-byte pieces for the small documents, thousand-byte pieces for all (a million one-byte messages
#: of the large one would say nothing more).
SPLITS = [(n, d, s) for n, d in BENIGN for s in (1, 1000) if s > 1 or len(d) < 100_000]


@pytest.mark.parametrize(("name", "document", "size"), SPLITS, ids=[f"{n}-{s}" for n, _, s in SPLITS])
async def test_benign_documents_in_tiny_pieces_are_replayed_message_for_message(
    name: str, document: bytes, size: int
) -> None:
    messages = pieces(document, size)
    app = App()
    status, _ = await run(sx.XMLGuardMiddleware(app), http_scope([XML]), messages)
    assert status == 200
    assert app.messages == messages  # the very messages, in order: byte-identical, same framing
    assert b"".join(m["body"] for m in app.messages) == document


async def test_the_size_cap_holds_while_bytes_are_held_back() -> None:
    """Pieces are held back before expat sees them; the cap must not wait for them."""
    limits = sx.XMLLimits(max_bytes=COALESCE_BYTES // 2, max_depth=8, max_elements=10, max_attributes=8)
    body = b"<a>" + b"x" * COALESCE_BYTES
    log: list[str] = []
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await sx.XMLGuardMiddleware(App(), limits=limits)(
        http_scope([XML]), scripted_receive(pieces(body, 1024), log), send
    )
    assert sent[0]["status"] == 413
    assert log.count("receive") == COALESCE_BYTES // 2 // 1024 + 1  # stopped at the first byte over


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize(
    "headers", [[XML], [XML, (b"content-length", b"0")], [(b"content-type", b"text/plain")]]
)
async def test_a_request_without_a_body_is_never_read(
    method: str, headers: list[tuple[bytes, bytes]]
) -> None:
    """``GET`` with ``Content-Type: application/xml`` and no body: nothing to inspect, nothing to wait
    for (a stalled one used to hold the guard, and a load-shedding slot, for ever)."""
    received: list[Receive] = []
    log: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        received.append(receive)

    original = scripted_receive([], log)
    scope = {**http_scope(headers, body=False), "method": method}
    await sx.XMLGuardMiddleware(app)(scope, original, _discard)
    assert received == [original] and log == []


async def _discard(message: Message) -> None:
    return None
