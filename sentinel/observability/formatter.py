"""``JsonFormatter``: one JSON object per line for Sentinel's security events (and any other record).

A security event (a record logged by :func:`sentinel.events.security_event`, which carries its
fields in ``extra={"sentinel": {...}}``) becomes::

    {"timestamp": "2025-01-31T12:00:00.123Z", "level": "WARNING", "logger": "sentinel.security",
     "event": "csrf.refused", "outcome": "refused", "request_id": "...", "session": "<hash>",
     "client_ip": "127.0.0.1", "path": "/transfer", ...other fields, sorted...}

Any other record becomes the same envelope with a ``message``. Every field passes through
:mod:`sentinel.observability.redact` first, and JSON escaping keeps each record on one line whatever
a field contains (no log forging by newline). Timestamps are UTC.
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


_HANDLER_MARK = "_sentinel_json_handler"


def configure_security_log(
    stream: IO[str] | None = None, *, level: int = logging.INFO, logger_name: str = LOGGER_NAME
) -> logging.Handler:
    """Send ``logger_name`` records to ``stream`` (stderr by default) as JSON lines, at ``level``.

    Idempotent: a second call reuses the handler it added. Propagation is left as it was, so
    handlers on the root logger (pytest's, your app's) keep seeing the records too.
    """
    logger = logging.getLogger(logger_name)
    for handler in logger.handlers:
        if getattr(handler, _HANDLER_MARK, False):
            handler.setLevel(level)
            logger.setLevel(min(level, logger.getEffectiveLevel()))
            return handler
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(level)
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    logger.setLevel(min(level, logger.getEffectiveLevel()))
    return handler


__all__ = ["ENVELOPE", "JsonFormatter", "configure_security_log", "utc_timestamp"]
