"""``JsonFormatter`` and ``TextFormatter``: one line per security event (or any other record).

A security event (a record logged by :func:`sentinel.events.security_event`, which carries its
fields in ``extra={"sentinel": {...}}``) becomes::

    {"timestamp": "2025-01-31T12:00:00.123Z", "level": "WARNING", "logger": "sentinel.security",
     "event": "csrf.refused", "outcome": "refused", "request_id": "...", "session": "<hash>",
     "client_ip": "127.0.0.1", "path": "/transfer", ...other fields, sorted...}

Any other record becomes the same envelope with a ``message``. Every field passes through
:mod:`sentinel.observability.redact` first, and JSON escaping keeps each record on one line whatever
a field contains (no log forging by newline). Timestamps are UTC.

``TextFormatter`` (``SENTINEL_LOG_FORMAT=text``, the default) prints the same fields, redacted the
same way, as ``key=value`` pairs a person can read, the ones an operator looks for first::

    2025-01-31T12:00:00.123Z WARNING csrf.refused refused reason=token-missing method=POST
    path=/transfer client_ip=127.0.0.1 request_id=4bf92f35 session=<hash> ...others, sorted...

(on one line). A value with a space, quote, ``=`` or control character is written as a JSON string,
so a field still cannot start a new line or fake another field.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Mapping
from typing import IO, Any

from sentinel.events import LOGGER_NAME
from sentinel.observability.redact import redact_fields, scrub
from sentinel.observability.request_id import current_request_id

#: The leading fields of a security event, in this order; the others follow sorted by name.
ENVELOPE = ("event", "outcome", "request_id", "session", "client_ip", "path")
_RESERVED = frozenset({"timestamp", "level", "logger", "message", "exception", *ENVELOPE})
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=str)
#: The text format's leading fields after ``event outcome``: what an operator reads first.
TEXT_LEADING = ("reason", "method", "path", "client_ip", "request_id", "session")
_BARE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@+,*<>[]%")


def utc_timestamp(created: float) -> str:
    """RFC 3339 UTC with milliseconds, e.g. ``2025-01-31T12:00:00.123Z``."""
    moment = dt.datetime.fromtimestamp(created, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class JsonFormatter(logging.Formatter):
    """Format records as single-line JSON objects, secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "timestamp": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
        }
        payload = getattr(record, "sentinel", None)
        if isinstance(payload, Mapping):
            fields = redact_fields(payload)
            for name in ENVELOPE:
                doc[name] = fields.pop(name, None)
            if doc["request_id"] is None:
                doc["request_id"] = current_request_id()
            for name in sorted(fields):
                # A field may not impersonate the envelope: it keeps its value under a prefixed name.
                doc[f"field_{name}" if name in _RESERVED else name] = fields[name]
        else:
            doc["message"] = scrub(record.getMessage())
            doc["request_id"] = current_request_id()
        if record.exc_info:
            doc["exception"] = scrub(self.formatException(record.exc_info))
        return _ENCODER.encode(doc)


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else _ENCODER.encode(value)
    if text and all(ch in _BARE for ch in text):
        return text
    return _ENCODER.encode(text)


class TextFormatter(logging.Formatter):
    """Format records as single readable lines: ``timestamp LEVEL event outcome key=value ...``."""

    def format(self, record: logging.LogRecord) -> str:
        head = f"{utc_timestamp(record.created)} {record.levelname}"
        payload = getattr(record, "sentinel", None)
        if isinstance(payload, Mapping):
            fields = redact_fields(payload)
            if fields.get("request_id") is None:
                fields["request_id"] = current_request_id()
            event, outcome = fields.pop("event", None), fields.pop("outcome", None)
            order = [n for n in TEXT_LEADING if n in fields] + sorted(set(fields) - set(TEXT_LEADING))
            pairs = [f"{name}={_text_value(fields[name])}" for name in order if fields[name] is not None]
            line = " ".join([head, _text_value(str(event)), _text_value(str(outcome)), *pairs])
        else:
            message = scrub(record.getMessage())
            if not message.isprintable():  # a newline or control character: quote, never split
                message = _ENCODER.encode(message)
            line = f"{head} {record.name}: {message}"
        if record.exc_info:
            line += " exception=" + _ENCODER.encode(scrub(self.formatException(record.exc_info)))
        return line


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}
_HANDLER_MARK = "_sentinel_json_handler"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is *now* (as logging's last-resort handler does), so a
    handler installed under a test's captured stderr keeps working after that capture closes."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass  # always sys.stderr


def configure_security_log(
    stream: IO[str] | None = None,
    *,
    level: int = logging.INFO,
    logger_name: str = LOGGER_NAME,
    format: str = "json",
) -> logging.Handler:
    """Send ``logger_name`` records to ``stream`` (stderr by default) at ``level``, one line each,
    as JSON (``format="json"``) or readable ``key=value`` text (``format="text"``).

    Idempotent: a second call reuses the handler it added (switching its format if asked), unless
    it names another ``stream``, which then replaces the first.
    Propagation is left as it was, so handlers on the root logger (pytest's, your app's) keep seeing
    the records too.
    """
    if format not in FORMATTERS:
        from sentinel.errors import ConfigurationError

        raise ConfigurationError([f"log format {format!r}: use 'text' or 'json' (SENTINEL_LOG_FORMAT)"])
    logger = logging.getLogger(logger_name)
    for handler in logger.handlers:
        if getattr(handler, _HANDLER_MARK, False):
            if stream is not None and getattr(handler, "stream", None) is not stream:
                logger.removeHandler(handler)  # a new destination: replace, never write to both
                break
            handler.setLevel(level)
            if not isinstance(handler.formatter, FORMATTERS[format]):
                handler.setFormatter(FORMATTERS[format]())
            logger.setLevel(min(level, logger.getEffectiveLevel()))
            return handler
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(FORMATTERS[format]())
    handler.setLevel(level)
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    logger.setLevel(min(level, logger.getEffectiveLevel()))
    return handler


__all__ = [
    "ENVELOPE",
    "FORMATTERS",
    "TEXT_LEADING",
    "JsonFormatter",
    "TextFormatter",
    "configure_security_log",
    "utc_timestamp",
]
