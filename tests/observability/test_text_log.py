"""The default text log: a readable line per event with its fields, redacted as the JSON log is.

Before issue #14 the text format printed ``csrf.refused refused`` and nothing else.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.events import LOGGER_NAME, security_event
from sentinel.observability import TextFormatter, configure_security_log
from tests.observability.test_json_log import COOKIE, SCOPE, SECRETS, SESSION_ID, capture
from tests.support.servers import TEST_KEY


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    yield from capture(TextFormatter())


def test_the_line_carries_reason_method_path_client_and_request_id(log: io.StringIO) -> None:
    security_event("csrf.refused", outcome="refused", scope=SCOPE, reason="token-missing", method="POST")
    (line,) = log.getvalue().splitlines()
    stamp, level, rest = line.split(" ", 2)
    assert stamp.endswith("Z") and level == "WARNING"
    assert rest == (
        "csrf.refused refused reason=token-missing method=POST path=/login client_ip=198.51.100.7 "
        "request_id=req-42"
    )


def test_secrets_are_redacted_as_in_the_json_log(log: io.StringIO) -> None:
    security_event(
        "auth.failed",
        outcome="refused",
        scope=SCOPE,
        password="hunter2",
        api_key="s3cr3t-key-material",
        csrf_token="tok-123456",
        cookie=f"__Host-sid={COOKIE}",
        session_id=SESSION_ID,
        database="postgresql://app:pg-pass@db/app",
        note=f"client sent Authorization: Bearer ghp_abcdefghijklmnop and cookie {COOKIE}",
    )
    text = log.getvalue()
    for secret in SECRETS:
        assert secret not in text
    assert "password=[redacted]" in text and "database=postgresql://app:***@db/app" in text


def test_a_field_cannot_forge_a_line_or_a_field(log: io.StringIO) -> None:
    security_event("x.y", outcome="refused", detail="ok\nWARNING csrf.refused refused reason=forged")
    (line,) = log.getvalue().splitlines()
    assert 'detail="ok\\nWARNING csrf.refused refused reason=forged"' in line
    assert " reason=forged" not in line.replace('"ok\\nWARNING csrf.refused refused reason=forged"', "")


def test_plain_records_are_scrubbed_and_one_line() -> None:
    record = logging.LogRecord(
        "app", logging.ERROR, __file__, 1, "cannot reach %s\nnext", ("redis://:pw@c/0",), None
    )
    line = TextFormatter().format(record)
    assert "\n" not in line and line.endswith('app: "cannot reach redis://***@c/0\\nnext"')


def test_configure_switches_the_format_of_its_one_handler() -> None:
    stream = io.StringIO()
    logger = logging.getLogger(LOGGER_NAME)
    old_level = logger.level
    first = configure_security_log(stream, format="json")
    try:
        second = configure_security_log(stream, format="text")
        assert first is second and isinstance(second.formatter, TextFormatter)
        with pytest.raises(sentinel.ConfigurationError, match="SENTINEL_LOG_FORMAT"):
            configure_security_log(format="yaml")
    finally:
        logger.removeHandler(first)
        logger.setLevel(old_level)


async def test_protect_logs_a_readable_csrf_refusal_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Through the real stack: a forged POST is refused and stderr says why, where and who."""

    async def transfer(request: Request) -> Response:
        return PlainTextResponse("moved")

    app = sentinel.protect(
        Starlette(routes=[Route("/transfer", transfer, methods=["POST"])]), secret_keys=[TEST_KEY]
    )
    logger = logging.getLogger(LOGGER_NAME)
    try:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
            response = await client.post(
                "/transfer",
                data={"to": "mallory"},
                headers={"Origin": "https://evil.test", "X-Request-ID": "r-1"},
            )
        assert response.status_code == 403
        err = capsys.readouterr().err
        (line,) = [x for x in err.splitlines() if "csrf.refused" in x]
        assert " WARNING csrf.refused refused reason=" in line
        for part in ("method=POST", "path=/transfer", "client_ip=203.0.113.9", "request_id=r-1"):
            assert part in line
    finally:
        for handler in list(logger.handlers):
            if getattr(handler, "_sentinel_json_handler", False):
                logger.removeHandler(handler)


def test_a_new_stream_replaces_the_handler_instead_of_writing_twice() -> None:
    first_stream, second_stream = io.StringIO(), io.StringIO()
    logger = logging.getLogger(LOGGER_NAME)
    old_level = logger.level
    first = configure_security_log(first_stream, format="text")
    second = configure_security_log(second_stream, format="text")
    try:
        assert first not in logger.handlers and second in logger.handlers
        security_event("x.y", outcome="refused")
        assert first_stream.getvalue() == "" and "x.y refused" in second_stream.getvalue()
    finally:
        logger.removeHandler(second)
        logger.setLevel(old_level)
