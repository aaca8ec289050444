"""Security events: structured log records an operator can follow and alert on.

Levels follow the seed's logging rules: ERROR only for what an operator must act on (a store circuit
open, a misconfigured secret), WARNING for an attack repelled, INFO for ordinary transitions such as
login and logout. Records carry identifiers to follow one flow (request ID, *hashed* session ID,
client IP) and never a secret, a password or a raw session ID: callers pass only hashes.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sentinel.types import Scope

LOGGER_NAME = "sentinel.security"
logger = logging.getLogger(LOGGER_NAME)

REQUEST_ID_HEADER = b"x-request-id"
_PATH_PARAMS = re.compile(r";[^/]*")


def client_ip(scope: Scope | None) -> str | None:
    """The peer address from the ASGI scope (not from spoofable forwarding headers)."""
    if scope is None:
        return None
    client = scope.get("client")
    return str(client[0]) if client else None


def request_id(scope: Scope | None) -> str | None:
    """The caller's X-Request-ID, truncated and restricted to safe characters."""
    if scope is None:
        return None
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            text = value[:64].decode("latin-1")
            return "".join(ch for ch in text if ch.isalnum() or ch in "-_.") or None
    return None


def security_event(
    event: str,
    *,
    outcome: str,
    level: int = logging.WARNING,
    scope: Scope | None = None,
    session: str | None = None,
    **fields: Any,
) -> None:
    """Log one security event.

    ``event`` is a stable dotted name (``session.url_id_refused``); ``outcome`` says what Sentinel did
    (``refused``, ``stripped``, ``rotated``...); ``session`` must already be a hash
    (:func:`sentinel.sessions.session_hash`), never a raw ID.
    """
    if not logger.isEnabledFor(level):
        return
    record: dict[str, Any] = {
        "event": event,
        "outcome": outcome,
        "request_id": request_id(scope),
        "client_ip": client_ip(scope),
        "session": session,
    }
    if scope is not None and scope.get("path") is not None:
        # Path parameters (``;jsessionid=...``) may carry the very ID we refused: never log them.
        record["path"] = _PATH_PARAMS.sub("", scope["path"])
    record.update(fields)
    logger.log(level, "%s %s", event, outcome, extra={"sentinel": record})


__all__ = ["LOGGER_NAME", "client_ip", "logger", "request_id", "security_event"]
