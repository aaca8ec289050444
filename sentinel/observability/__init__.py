"""Observability: request IDs, JSON security-event logs with redaction, and metric hooks
(``docs/operations.md``). Prometheus export lives in :mod:`sentinel.observability.metrics`, imported
on demand because it needs the ``metrics`` extra."""

from sentinel.observability.formatter import (
    ENVELOPE,
    FORMATTERS,
    TEXT_LEADING,
    JsonFormatter,
    TextFormatter,
    configure_security_log,
    utc_timestamp,
)
from sentinel.observability.hooks import (
    EventHooks,
    Hook,
    SecurityEvent,
    add_hook,
    default_hooks,
    install_hooks,
    remove_hook,
)
from sentinel.observability.redact import (
    MAX_STRING,
    REDACTED,
    SENSITIVE_NAME,
    is_sensitive_name,
    redact_fields,
    redact_value,
    scrub,
)
from sentinel.observability.request_id import RequestIdMiddleware, current_request_id, new_request_id

__all__ = [
    "ENVELOPE",
    "FORMATTERS",
    "MAX_STRING",
    "REDACTED",
    "SENSITIVE_NAME",
    "TEXT_LEADING",
    "EventHooks",
    "Hook",
    "JsonFormatter",
    "RequestIdMiddleware",
    "SecurityEvent",
    "TextFormatter",
    "add_hook",
    "configure_security_log",
    "current_request_id",
    "default_hooks",
    "install_hooks",
    "is_sensitive_name",
    "new_request_id",
    "redact_fields",
    "redact_value",
    "remove_hook",
    "scrub",
    "utc_timestamp",
]
