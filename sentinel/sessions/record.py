"""The stored form of a session: server-side metadata plus the app's JSON data.

A record is text, never pickle: ``"1\\n" + meta_json + "\\n" + data_json``. Keeping the data's JSON
separate means the middleware can tell whether the app changed its session (even by mutating a
nested list) by comparing one fresh ``json.dumps`` with the text it loaded, with no deep copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = "1"


class RecordError(ValueError):
    """A stored value is not a Sentinel session record (corrupt, foreign, or from the future)."""


def dump_data(data: dict[str, Any]) -> str:
    """The canonical JSON of session data. Raises ``TypeError`` for values JSON cannot carry."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


@dataclass(slots=True, kw_only=True)
class Meta:
    """What the server knows about a session, enforced server-side."""

    created: float
    last_seen: float
    user_id: str | None = None
    auth_time: float | None = None

    def to_json(self) -> str:
        return json.dumps([self.created, self.last_seen, self.user_id, self.auth_time], separators=(",", ":"))


def dump_record(meta: Meta, data_json: str) -> str:
    return f"{FORMAT_VERSION}\n{meta.to_json()}\n{data_json}"


def load_record(raw: str) -> tuple[Meta, str, dict[str, Any]]:
    """Parse a stored record into ``(meta, data_json, data)``; :class:`RecordError` if malformed."""
    try:
        version, meta_json, data_json = raw.split("\n", 2)
        if version != FORMAT_VERSION:
            raise RecordError(f"unknown record version {version!r}")
        created, last_seen, user_id, auth_time = json.loads(meta_json)
        data = json.loads(data_json)
    except (ValueError, TypeError) as exc:
        raise RecordError("malformed session record") from exc
    if not isinstance(data, dict) or not isinstance(created, int | float):
        raise RecordError("malformed session record")
    meta = Meta(
        created=float(created),
        last_seen=float(last_seen),
        user_id=None if user_id is None else str(user_id),
        auth_time=None if auth_time is None else float(auth_time),
    )
    return meta, data_json, data


__all__ = ["Meta", "RecordError", "dump_data", "dump_record", "load_record"]
