"""The stored form of a session: server-side metadata plus the app's JSON data.

A record is text, never pickle::

    1\\n<created> <last_seen> <auth_time|-> <user_id as JSON>\\n<data as JSON>

Keeping the data's JSON separate means the middleware can tell whether the app changed its session
(even by mutating a nested list) by comparing one fresh encoding with the text it loaded, with no
deep copy. The metadata line is plain numbers because it is parsed on every request; the user ID is
JSON-encoded, so no user ID can break the line structure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sentinel.errors import SentinelError

FORMAT_VERSION = "1"
# One prebuilt encoder: json.dumps with non-default options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False)
_decode = json.JSONDecoder().decode


class RecordError(SentinelError, ValueError):
    """A stored value is not a Sentinel session record (corrupt, foreign, or from the future)."""


class SessionDataError(SentinelError, TypeError):
    """The app put a value in the session that JSON cannot carry (sessions are never pickled)."""


def dump_data(data: dict[str, Any]) -> str:
    """The canonical JSON of session data."""
    try:
        return _ENCODER.encode(data)
    except (TypeError, ValueError) as exc:
        raise SessionDataError(
            f"session values must be JSON-serialisable (str, int, float, bool, None, list, dict): {exc}"
        ) from exc


@dataclass(slots=True, kw_only=True)
class Meta:
    """What the server knows about a session, enforced server-side."""

    created: float
    last_seen: float
    user_id: str | None = None
    auth_time: float | None = None

    def encode(self) -> str:
        auth = "-" if self.auth_time is None else repr(self.auth_time)
        user = "null" if self.user_id is None else _ENCODER.encode(self.user_id)
        return f"{self.created!r} {self.last_seen!r} {auth} {user}"


def dump_record(meta: Meta, data_json: str) -> str:
    return f"{FORMAT_VERSION}\n{meta.encode()}\n{data_json}"


def _parse_meta(line: str) -> Meta:
    created, last_seen, auth, user = line.split(" ", 3)
    user_id = None if user == "null" else _decode(user)
    if user_id is not None and not isinstance(user_id, str):
        raise RecordError("user ID is not a string")
    return Meta(
        created=float(created),
        last_seen=float(last_seen),
        user_id=user_id,
        auth_time=None if auth == "-" else float(auth),
    )


def load_record(raw: str) -> tuple[Meta, str, dict[str, Any]]:
    """Parse a stored record into ``(meta, data_json, data)``; :class:`RecordError` if malformed."""
    try:
        version, meta_line, data_json = raw.split("\n", 2)
        if version != FORMAT_VERSION:
            raise RecordError(f"unknown record version {version!r}")
        meta = _parse_meta(meta_line)
        data = _decode(data_json)
    except (ValueError, TypeError) as exc:
        raise RecordError("malformed session record") from exc
    if not isinstance(data, dict):
        raise RecordError("session data is not a JSON object")
    return meta, data_json, data


__all__ = ["Meta", "RecordError", "SessionDataError", "dump_data", "dump_record", "load_record"]
