"""The contract every session store keeps.

Stores are deliberately dumb: they hold opaque record text under a hashed key, with a TTL, plus an
index from user ID to that user's keys (for :func:`revoke_user_sessions`). What makes sessions safe
is in the write verbs:

- ``create`` never overwrites (insert-only), so a fresh ID can never land on an existing record;
- ``update`` never creates (update-only), so a request still in flight after a logout or a rotation
  cannot bring the old session back;
- ``rotate`` deletes the old record and creates the new one in one atomic step, and refuses if the
  old record is already gone.

Network stores raise :class:`~sentinel.errors.StoreUnavailable` rather than hang; bounded stores
raise :class:`~sentinel.errors.StoreFull` rather than evict someone else's session.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

#: What ``load`` returns for a rotated-away key during the grace period. Never a valid record.
TOMBSTONE = "R"


@runtime_checkable
class SessionStore(Protocol):
    """Async storage of session records. Keys are already hashes; values are opaque text."""

    async def load(self, key: str) -> str | None:
        """The record under ``key``, or ``None`` if absent or expired. One round trip."""
        ...

    async def create(self, key: str, value: str, *, ttl: float, user_id: str | None) -> bool:
        """Insert only. ``False`` if ``key`` already exists."""
        ...

    async def update(self, key: str, value: str, *, ttl: float, user_id: str | None = None) -> bool:
        """Update only, resetting the TTL. ``False`` if ``key`` is gone (logged out) or is a
        rotation tombstone: a request in flight can never bring a session back."""
        ...

    async def rotate(
        self,
        old_key: str,
        new_key: str,
        value: str,
        *,
        ttl: float,
        old_user_id: str | None,
        user_id: str | None,
        grace: float,
    ) -> bool:
        """Atomically replace ``old_key`` by a short-lived tombstone and insert ``new_key``.

        ``False`` (and no write) if ``old_key`` is no longer a live record. The tombstone
        (:data:`TOMBSTONE`, kept ``grace`` seconds) lets the middleware tell "rotated a moment ago"
        from "unknown", so a request racing a login does not clear the browser's new cookie."""
        ...

    async def delete(self, key: str, *, user_id: str | None) -> None:
        """Remove one record (and its user-index entry). Absent keys are not an error. If ``key``
        is a rotation tombstone, the record it moved to is removed too (a logout that raced a
        rotation still logs the user out)."""
        ...

    async def delete_user(self, user_id: str) -> int:
        """Remove every record of ``user_id``; returns how many were live."""
        ...

    async def health(self) -> dict[str, Any]:
        """A small, secret-free description of the store's state, for health endpoints."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


__all__ = ["TOMBSTONE", "SessionStore"]
