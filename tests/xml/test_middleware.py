"""The XML guard through a real ASGI stack (httpx.ASGITransport around an inline Starlette app)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

import sentinel.xml as sx
from sentinel.errors import ConfigurationError
from sentinel.sessions import SentinelUnsafeWarning
from sentinel.types import Message, Receive, Scope, Send
from sentinel.xml.screen import COALESCE_BYTES, MAX_SLICE
from tests.xml.conftest import Recorder, echo_app, http_scope, scripted_receive
from tests.xml.corpus import ATTACKS, BENIGN, PROLOG, Attack, nested

SNIFFABLE = [a for a in ATTACKS if a.sniffable]
SMALL = sx.XMLLimits(max_bytes=64 * 1024, max_depth=16, max_elements=1000, max_attributes=8)


async def post(app: Any, body: bytes, content_type: str | None, **headers: str) -> httpx.Response:
    if content_type is not None:
        headers["content-type"] = content_type
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.post("/", content=body, headers=headers)


def assert_refused(response: httpx.Response, status: int, reason: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"urn:sentinel:problem:{reason}"
    assert problem["status"] == status and problem["title"] and problem["detail"]


def assert_unchanged(response: httpx.Response, recorder: Recorder, body: bytes) -> None:
    assert response.status_code == 200, response.text
    assert response.json() == {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    assert recorder.bodies == [body]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
@pytest.mark.parametrize("content_type", ["application/xml", "text/xml", "application/soap+xml"])
async def test_every_attack_is_refused_for_xml_content_types(
    attack: Attack, content_type: str, recorder: Recorder
) -> None:
    response = await post(echo_app(recorder), attack.body, content_type)
    assert_refused(response, 400, attack.reason)
    assert not recorder.called


@pytest.mark.parametrize("attack", SNIFFABLE, ids=lambda a: a.name)
@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "application/octet-stream", None])
async def test_every_sniffable_attack_is_refused_whatever_the_content_type(
    attack: Attack, content_type: str | None, recorder: Recorder
) -> None:
    response = await post(echo_app(recorder), attack.body, content_type)
    assert_refused(response, 400, attack.reason)
    assert not recorder.called


@pytest.mark.parametrize(("name", "body"), BENIGN, ids=[name for name, _ in BENIGN])
@pytest.mark.parametrize("content_type", ["application/xml", "text/plain"])
async def test_benign_documents_reach_the_app_byte_for_byte(
    name: str, body: bytes, content_type: str, recorder: Recorder
) -> None:
    assert_unchanged(await post(echo_app(recorder), body, content_type), recorder, body)


async def test_non_xml_bodies_pass_untouched(recorder: Recorder) -> None:
    for body, content_type in [
        (b'{"a": 1}', "application/json"),
        (b"", "application/xml"),
        (b"<p>hi</p>", "text/html"),
    ]:
        recorder.bodies.clear()
        assert_unchanged(await post(echo_app(recorder), body, content_type), recorder, body)


async def test_body_streamed_in_many_chunks_is_inspected_and_replayed(recorder: Recorder) -> None:
    body = dict(BENIGN)["large"]
    chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]

    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    app = echo_app(recorder)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/", content=stream(), headers={"content-type": "application/xml"})
    assert_unchanged(response, recorder, body)


async def test_too_large_by_content_length_is_refused_before_reading() -> None:
    log: list[str] = []
    sent: list[Message] = []
    guard = sx.XMLGuardMiddleware(_never_called, limits=SMALL)
    scope = http_scope([(b"content-type", b"application/xml"), (b"content-length", b"70000")])
    await guard(scope, scripted_receive([{"type": "http.request", "body": b"<a/>"}], log), _collect(sent))
    assert log == []  # not a byte read
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["type"] == "urn:sentinel:problem:xml-too-large"


async def test_too_large_while_streaming_is_refused_at_the_cap(recorder: Recorder) -> None:
    body = b"<a>" + b"x" * (70 * 1024) + b"</a>"

    async def stream() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 4096):
            yield body[i : i + 4096]

    app = echo_app(recorder, limits=SMALL)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/", content=stream(), headers={"content-type": "text/xml"})
    assert_refused(response, 413, "xml-too-large")
    assert not recorder.called


async def test_a_body_too_short_to_decide_until_its_end_is_still_inspected(recorder: Recorder) -> None:
    assert_refused(await post(echo_app(recorder), b"<!", "text/plain"), 400, "xml-malformed")
    assert_unchanged(await post(echo_app(recorder), b" <", "text/plain"), recorder, b" <")


async def test_sniffed_body_over_content_length_cap_is_refused(recorder: Recorder) -> None:
    response = await post(
        echo_app(recorder, limits=SMALL), PROLOG + b"<a>" + b"x" * 70_000 + b"</a>", "text/plain"
    )
    assert_refused(response, 413, "xml-too-large")


async def test_structure_limits_apply_in_the_guard(recorder: Recorder) -> None:
    app = echo_app(recorder, limits=SMALL)
    assert_refused(await post(app, nested(17), "application/xml"), 400, "xml-too-deep")
    assert_refused(
        await post(app, b"<a>" + b"<b/>" * 1000 + b"</a>", "application/xml"), 400, "xml-too-many-elements"
    )
    assert_refused(
        await post(app, b"<a " + b" ".join(b'a%d="1"' % i for i in range(9)) + b"/>", "text/xml"),
        400,
        "xml-too-many-attributes",
    )
    assert_refused(await post(app, b"<a><b></a>", "application/xml"), 400, "xml-malformed")
    assert not recorder.called


async def test_check_structure_off_leaves_structure_to_the_app_but_refuses_dtds(recorder: Recorder) -> None:
    with pytest.warns(SentinelUnsafeWarning, match="check_structure=False"):
        settings = sx.XMLGuardSettings(limits=SMALL, check_structure=False)
    app = echo_app(recorder, settings=settings)
    assert_unchanged(await post(app, nested(17), "application/xml"), recorder, nested(17))
    assert_refused(await post(app, ATTACKS[0].body, "application/xml"), 400, "xml-dtd-forbidden")


async def test_compressed_xml_is_refused_with_415(recorder: Recorder) -> None:
    response = await post(
        echo_app(recorder), b"\x1f\x8b\x08\x00", "application/xml", **{"content-encoding": "gzip"}
    )
    assert_refused(response, 415, "xml-content-encoding-unsupported")
    assert not recorder.called


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/xml; charset=utf-7", b"+ADw-!DOCTYPE a +AFs-+AF0-+AD4-+ADw-a/+AD4-"),
        ("application/xml; charset=utf-16", b"<a/>"),
        ("text/xml; charset=shift_jis", b"<a/>"),
    ],
)
async def test_charset_parameters_that_could_fool_a_parser_are_refused(
    content_type: str, body: bytes, recorder: Recorder
) -> None:
    assert_refused(await post(echo_app(recorder), body, content_type), 400, "xml-encoding-refused")


async def test_charset_parameter_is_honoured(recorder: Recorder) -> None:
    body = "<order><note>café</note></order>".encode("latin-1")
    assert_unchanged(
        await post(echo_app(recorder), body, "application/xml; charset=ISO-8859-1"), recorder, body
    )


async def test_form_fields_are_inspected_only_when_asked(recorder: Recorder) -> None:
    from urllib.parse import quote_plus

    form = b"name=alice&doc=" + quote_plus(ATTACKS[0].body.decode()).encode()
    assert_unchanged(
        await post(echo_app(recorder), form, "application/x-www-form-urlencoded"), recorder, form
    )
    recorder.bodies.clear()
    app = echo_app(recorder, inspect_form_fields=True, limits=SMALL)
    assert_refused(await post(app, form, "application/x-www-form-urlencoded"), 400, "xml-dtd-forbidden")
    benign = b"name=alice&doc=" + quote_plus("<?xml version='1.0'?><order/>").encode()
    assert_unchanged(await post(app, benign, "application/x-www-form-urlencoded"), recorder, benign)
    big = b"a=" + b"x" * (70 * 1024)
    assert_refused(await post(app, big, "application/x-www-form-urlencoded"), 413, "xml-too-large")


async def test_exempt_and_extra_types(recorder: Recorder) -> None:
    html = b"<!DOCTYPE html><html><body>hi</body></html>"
    assert_refused(await post(echo_app(recorder), html, "text/html"), 400, "xml-dtd-forbidden")
    exempt, extra = frozenset({"Text/HTML"}), frozenset({"application/x-orders"})
    app = echo_app(recorder, sniff_exempt_types=exempt, extra_xml_types=extra)
    assert_unchanged(await post(app, html, "text/html; charset=utf-8"), recorder, html)
    assert_refused(await post(app, nested(100), "application/x-orders"), 400, "xml-too-deep")


async def test_sniff_off_passes_xml_with_other_types_and_warns(recorder: Recorder) -> None:
    with pytest.warns(SentinelUnsafeWarning, match="sniff=False"):
        settings = sx.XMLGuardSettings(sniff=False)
    app = echo_app(recorder, settings=settings)
    body = ATTACKS[0].body
    assert_unchanged(await post(app, body, "text/plain"), recorder, body)
    assert_refused(await post(app, body, "application/xml"), 400, "xml-dtd-forbidden")


async def test_each_refusal_is_a_security_event(recorder: Recorder, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sentinel.security")
    await post(echo_app(recorder), ATTACKS[0].body, "application/xml")
    await post(echo_app(recorder), b"<a><b></a>", "application/xml")
    records = [r for r in caplog.records if r.name == "sentinel.security"]
    events = [r.sentinel for r in records]  # type: ignore[attr-defined]
    assert [e["event"] for e in events] == ["xml.refused", "xml.refused"]
    assert [e["reason"] for e in events] == ["xml-dtd-forbidden", "xml-malformed"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]
    assert events[0]["outcome"] == "refused" and events[0]["where"] == "body" and events[0]["path"] == "/"
    assert "passwd" not in caplog.text  # nothing from the document itself


# --- ASGI semantics, driven directly -------------------------------------------------------------


async def _never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the app must not run")


def _collect(sent: list[Message]) -> Send:
    async def send(message: Message) -> None:
        sent.append(message)

    return send


async def test_replay_gives_the_same_messages_then_the_servers_disconnect() -> None:
    seen: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for _ in range(4):
            seen.append(await receive())

    messages: list[Message] = [
        {"type": "http.request", "body": b"<a>", "more_body": True},
        {"type": "http.request", "body": b"</a>", "more_body": False},
    ]
    log: list[str] = []
    await sx.XMLGuardMiddleware(app)(
        http_scope([(b"content-type", b"application/xml")]), scripted_receive(messages, log), _collect([])
    )
    assert seen[:2] == messages and seen[0] is messages[0]
    assert seen[2:] == [{"type": "http.disconnect"}] * 2


async def test_a_client_that_disconnects_mid_body_gets_nothing_and_the_app_never_runs() -> None:
    sent: list[Message] = []
    messages: list[Message] = [{"type": "http.request", "body": b"<a>", "more_body": True}]
    await sx.XMLGuardMiddleware(_never_called)(
        http_scope([(b"content-type", b"application/xml")]), scripted_receive(messages, []), _collect(sent)
    )
    assert sent == []


async def test_non_xml_bodies_stream_through_after_the_first_chunk() -> None:
    """The guard holds only what it needs to sniff: the app reads the rest from the server."""
    log: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        log.append("app")
        while (await receive()).get("more_body"):
            pass

    messages: list[Message] = [{"type": "http.request", "body": b'{"a": ', "more_body": True}]
    messages += [{"type": "http.request", "body": b"1" * 10, "more_body": True} for _ in range(5)]
    messages.append({"type": "http.request", "body": b"}", "more_body": False})
    await sx.XMLGuardMiddleware(app)(
        http_scope([(b"content-type", b"application/json")]), scripted_receive(messages, log), _collect([])
    )
    assert log[:2] == ["receive", "app"]
    assert log.count("receive") == len(messages)


async def test_requests_the_guard_need_not_read_are_passed_as_is() -> None:
    received: list[Receive] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        received.append(receive)

    original = scripted_receive([], [])
    guard = sx.XMLGuardMiddleware(app, sniff_exempt_types=frozenset({"application/json"}))
    await guard(http_scope([(b"content-type", b"application/json")]), original, _collect([]))
    await guard({"type": "lifespan"}, original, _collect([]))
    assert received == [original, original]


async def test_one_big_chunk_is_inspected_in_slices_that_let_other_tasks_run() -> None:
    body = dict(BENIGN)["large"]
    assert len(body) > MAX_SLICE
    pieces, fed = 0, 0
    while fed < len(body):
        fed += min(max(COALESCE_BYTES, fed), MAX_SLICE)
        pieces += 1
    assert pieces >= 5  # 64 KiB, 64 KiB, 128 KiB, 256 KiB, 512 KiB, ...
    ticks = 0
    ticks_when_app_ran: list[int] = []
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            await asyncio.sleep(0)
            ticks += 1

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        ticks_when_app_ran.append(ticks)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    start = ticks
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    await sx.XMLGuardMiddleware(app)(
        http_scope([(b"content-type", b"application/xml")]), scripted_receive(messages, []), _collect([])
    )
    done = True
    await task
    assert ticks_when_app_ran[0] - start >= pieces - 1


def test_settings_are_validated_together() -> None:
    with pytest.raises(ConfigurationError) as caught:
        sx.XMLGuardSettings(
            limits="big",  # type: ignore[arg-type]
            sniff="yes",  # type: ignore[arg-type]
            sniff_exempt_types="text/html",  # type: ignore[arg-type]
            extra_xml_types=frozenset({"xml"}),
            check_structure=None,  # type: ignore[arg-type]
        )
    assert len(caught.value.problems) == 5
    with pytest.raises(ConfigurationError, match="only strings"):
        sx.XMLGuardSettings(extra_xml_types=frozenset({1}))  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="collection of media types"):
        sx.XMLGuardSettings(extra_xml_types=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        sx.XMLGuardMiddleware(_never_called, settings=sx.XMLGuardSettings(), sniff=False)
    settings = sx.XMLGuardSettings(sniff_exempt_types=frozenset({" Text/HTML "}))
    assert settings.sniff_exempt_types == frozenset({"text/html"})
    assert sx.XMLGuardMiddleware(_never_called, settings=settings).settings is settings


APP_BODIES = [(b"application/json", b"{}"), (b"application/xml", b"<a/>")]


@pytest.mark.parametrize(("content_type", "body"), APP_BODIES)
async def test_errors_the_app_raises_are_not_mistaken_for_refusals(content_type: bytes, body: bytes) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise sx.TooDeep(limit=1)

    sent: list[Message] = []
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    guard = sx.XMLGuardMiddleware(app, sniff_exempt_types=frozenset({"application/json"}))
    scope = http_scope([(b"content-type", content_type)])
    with pytest.raises(sx.TooDeep):
        await guard(scope, scripted_receive(messages, []), _collect(sent))
    assert [m["type"] for m in sent] == ["http.response.start"]
