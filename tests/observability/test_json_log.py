"""The security event log: one JSON object per line, the envelope fields, and never a secret."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from sentinel.events import LOGGER_NAME, security_event
from sentinel.observability import (
    REDACTED,
    JsonFormatter,
    configure_security_log,
    redact_fields,
    scrub,
    utc_timestamp,
)
from sentinel.sessions import session_hash

SESSION_ID = "Q" * 43
COOKIE = "A1b2" * 10 + "xyz" + "." + "Z9_-" * 10 + "abc"
SECRETS = [
    "hunter2",
    "s3cr3t-key-material",
    "tok-123456",
    "pg-pass",
    SESSION_ID,
    COOKIE,
    "ghp_abcdefghijklmnop",
]


def capture(formatter: logging.Formatter) -> Iterator[io.StringIO]:
    """The security logger's records, formatted by ``formatter``, for one test (shared with the text
    log's tests)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(LOGGER_NAME)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    yield from capture(JsonFormatter())


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


SCOPE = {
    "type": "http",
    "path": "/login;jsessionid=" + SESSION_ID,
    "client": ("198.51.100.7", 5555),
    "headers": [(b"x-request-id", b"req-42")],
}


def test_a_security_event_is_one_json_line_with_the_envelope_first(log: io.StringIO) -> None:
    security_event(
        "session.login", outcome="rotated", level=logging.INFO, scope=SCOPE,
        session=session_hash(SESSION_ID), user_id="alice", attempts=2,
    )  # fmt: skip
    (line,) = log.getvalue().splitlines()
    doc = json.loads(line)
    assert list(doc)[:9] == [
        "timestamp", "level", "logger", "event", "outcome", "request_id", "session", "client_ip", "path",
    ]  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(doc["timestamp"]))
    assert doc["level"] == "INFO" and doc["logger"] == "sentinel.security"
    assert doc["event"] == "session.login" and doc["outcome"] == "rotated"
    assert doc["request_id"] == "req-42" and doc["client_ip"] == "198.51.100.7"
    assert doc["session"] == session_hash(SESSION_ID) and doc["path"] == "/login"
    assert doc["user_id"] == "alice" and doc["attempts"] == 2


def test_no_secret_reaches_the_log_even_when_a_caller_passes_one(log: io.StringIO) -> None:
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
        nested={"inner": {"secret": "s3cr3t-key-material"}, "list": ["password=hunter2"]},
    )
    text = log.getvalue()
    for secret in SECRETS:
        assert secret not in text
    (doc,) = lines(log)
    assert doc["password"] == doc["api_key"] == doc["csrf_token"] == doc["cookie"] == REDACTED
    assert doc["session_id"] == REDACTED
    assert doc["database"] == "postgresql://app:***@db/app"
    assert doc["nested"] == {"inner": {"secret": REDACTED}, "list": [f"password={REDACTED}"]}
    assert doc["level"] == "WARNING"


def test_control_characters_cannot_forge_a_second_line(log: io.StringIO) -> None:
    security_event("x.y", outcome="refused", detail='ok\n{"event":"forged"}\r\n')
    assert len(log.getvalue().splitlines()) == 1
    assert lines(log)[0]["detail"] == 'ok\n{"event":"forged"}\r\n'


def test_a_field_cannot_impersonate_the_envelope(log: io.StringIO) -> None:
    security_event("x.y", outcome="refused", level=logging.WARNING, timestamp="1970", logger="fake")
    (doc,) = lines(log)
    assert doc["logger"] == "sentinel.security" and doc["field_timestamp"] == "1970"
    assert doc["field_logger"] == "fake"


def test_plain_records_get_the_same_envelope_with_a_scrubbed_message() -> None:
    record = logging.LogRecord(
        "app", logging.ERROR, __file__, 1, "cannot reach %s", ("redis://:pg-pass@cache:6379/0",), None
    )
    doc = json.loads(JsonFormatter().format(record))
    assert doc["message"] == "cannot reach redis://***@cache:6379/0"
    assert doc["level"] == "ERROR" and doc["request_id"] is None


def test_exceptions_are_included_and_scrubbed() -> None:
    try:
        raise RuntimeError("login failed with password=hunter2")
    except RuntimeError:
        import sys

        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    doc = json.loads(JsonFormatter().format(record))
    assert "RuntimeError" in doc["exception"] and "hunter2" not in doc["exception"]


def test_configure_security_log_is_idempotent() -> None:
    stream = io.StringIO()
    logger = logging.getLogger(LOGGER_NAME)
    old_level = logger.level
    try:
        first = configure_security_log(stream)
        second = configure_security_log(stream)
        assert first is second and logger.handlers.count(first) == 1
        security_event("session.logout", outcome="destroyed", level=logging.INFO)
        assert json.loads(stream.getvalue())["event"] == "session.logout"
    finally:
        logger.removeHandler(first)
        logger.setLevel(old_level)


def test_redaction_rules() -> None:
    assert scrub("x" * 5000).endswith("...[truncated]")
    assert scrub("basic configuration is fine") == "basic configuration is fine"
    assert scrub("https://ghp_abcdefghijklmnop@github.com/x") == "https://***@github.com/x"
    assert redact_fields({"session": "ab12", "sid": "raw", "key": "k", "keys_loaded": 2}) == {
        "session": "ab12", "sid": REDACTED, "key": REDACTED, "keys_loaded": 2,
    }  # fmt: skip
    assert redact_fields({"raw": b"\x00key"}) == {"raw": REDACTED}


def test_utc_timestamp() -> None:
    assert utc_timestamp(0.5) == "1970-01-01T00:00:00.500Z"
