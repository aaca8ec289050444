"""The redaction safety net every log line and health document passes through.

Callers are already told never to log a secret, a password or a raw session ID. This is the net
under that rule, for the day someone forgets: a field whose *name* says it holds a secret is
replaced wholesale, and string values are scrubbed of the shapes secrets take in practice (a URL
with credentials, an ``Authorization`` value, a ``password=`` pair, a signed Sentinel session
cookie). Long strings are cut, so one field cannot flood a log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

REDACTED = "[redacted]"
#: Longest string kept in a log field or health value; the rest is cut with a marker.
MAX_STRING = 2048
_MAX_DEPTH = 4

#: Field names that hold secrets. ``session`` alone is allowed: by contract it is already a hash.
SENSITIVE_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|cookie|authori[sz]ation|api[-_]?key|credential|"
    r"private[-_]?key|session[-_]?id|^sid$|^key$|signature|^dsn$",
    re.IGNORECASE,
)

_URL_CREDENTIALS = re.compile(r"\b([a-z][a-z0-9+.-]*://)([^/\s@:]*)(:[^/\s@]*)?@", re.IGNORECASE)
_AUTH_VALUE = re.compile(r"\b(bearer|basic)\s+[A-Za-z0-9._~+/-]{16,}=*", re.IGNORECASE)
_SECRET_PAIR = re.compile(
    r"\b(password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|csrf[-_]?token)(\s*[=:]\s*)"
    r"(\"[^\"]*\"|'[^']*'|[^\s&;,]+)",
    re.IGNORECASE,
)
#: A signed Sentinel session cookie value (``id.signature``, 43 + 1 + 43 characters).
_COOKIE_LENGTH = 87
_SESSION_COOKIE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def _mask_userinfo(match: re.Match[str]) -> str:
    """``user:password@`` keeps the user; a lone ``user@`` may itself be a token, so it goes."""
    scheme, user, password = match.group(1), match.group(2), match.group(3)
    return f"{scheme}{user}:***@" if password is not None and user else f"{scheme}***@"


def scrub(text: str) -> str:
    """``text`` with credentials in URLs, auth values, secret pairs and session cookies masked.

    Each pattern runs only when a character it needs is present: most log values are short words.
    """
    if len(text) > MAX_STRING:
        text = text[:MAX_STRING] + "...[truncated]"
    if "://" in text:
        text = _URL_CREDENTIALS.sub(_mask_userinfo, text)
    if " " in text or "\t" in text:
        text = _AUTH_VALUE.sub(r"\1 " + REDACTED, text)
    if "=" in text or ":" in text:
        text = _SECRET_PAIR.sub(r"\1\2" + REDACTED, text)
    if len(text) >= _COOKIE_LENGTH and "." in text:
        text = _SESSION_COOKIE.sub(REDACTED, text)
    return text


def redact_value(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` with secrets masked (see :func:`redact_fields`)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return scrub(value)
    if depth >= _MAX_DEPTH:
        return "[nested]"
    if isinstance(value, Mapping):
        return redact_fields(value, depth + 1)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [redact_value(item, depth + 1) for item in items]
    if isinstance(value, bytes):
        return REDACTED  # raw bytes in a log field are more likely a key than a message
    return scrub(str(value))


@lru_cache(maxsize=1024)
def is_sensitive_name(name: str) -> bool:
    """Whether a field called ``name`` holds a secret (cached: field names repeat endlessly)."""
    return SENSITIVE_NAME.search(name) is not None


def redact_fields(fields: Mapping[Any, Any], depth: int = 0) -> dict[str, Any]:
    """Copy ``fields``, replacing values whose key names a secret and scrubbing the rest."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        name = str(key)
        out[name] = REDACTED if is_sensitive_name(name) else redact_value(value, depth)
    return out


__all__ = [
    "MAX_STRING",
    "REDACTED",
    "SENSITIVE_NAME",
    "is_sensitive_name",
    "redact_fields",
    "redact_value",
    "scrub",
]
