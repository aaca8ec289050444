"""The embedded, in-process session store.

For one process only (use :class:`~sentinel.sessions.RedisStore` for more). Its costs are bounded:

- expiry is a min-heap of deadlines, so a create costs O(log n) and an update O(1) however many
  sessions are live (starsessions' memory store scans every entry on every write);
- ``max_sessions`` caps live records, so a flood of sessions cannot exhaust memory. At the cap,
  expired records are purged first; if it is still full the store refuses the *new* session with
  :class:`~sentinel.errors.StoreFull` (a 503) rather than evicting a live user's session;
- the last ``login_reserve`` places (10% by default) are for logins only: anonymous records stop at
  ``max_sessions - login_reserve``, so however many anonymous sessions a flood manages to create, a
  new visitor can still log in. (Anonymous page views create none at all: CSRF tokens bind to a
  signed pre-session cookie. A login from an existing anonymous session replaces its record and
  never needs a new place.) Reserving was chosen over evicting the oldest anonymous session: an
  eviction would let a flood end real visitors' carts, and a reserve keeps the rule simple.

Operations never await, so each one is atomic on the event loop.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sentinel.errors import StoreFull
from sentinel.sessions.store import TOMBSTONE

DEFAULT_MAX_SESSIONS = 100_000


@dataclass(slots=True)
class _Entry:
    value: str
    expires_at: float
    user_id: str | None
    #: Set on a rotation tombstone: the key the session moved to.
    successor: str | None = None


class MemoryStore:
    """A bounded in-memory :class:`~sentinel.sessions.SessionStore`."""

    def __init__(
        self,
        *,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        login_reserve: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        reserve = max_sessions // 10 if login_reserve is None else login_reserve
        if not 0 <= reserve < max_sessions:
            raise ValueError("login_reserve must be in [0, max_sessions)")
        self.max_sessions = max_sessions
        self.login_reserve = reserve
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._by_user: dict[str, set[str]] = {}
        # (deadline, key). Entries whose deadline moved on are stale and skipped when popped.
        self._heap: list[tuple[float, str]] = []

    def __len__(self) -> int:
        return len(self._entries)

    # -- internals ---------------------------------------------------------------------------
    def _live(self, key: str, now: float) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at <= now:
            self._remove(key)
            return None
        return entry

    def _remove(self, key: str) -> _Entry | None:
        entry = self._entries.pop(key, None)
        if entry is not None and entry.user_id is not None:
            keys = self._by_user.get(entry.user_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_user[entry.user_id]
        return entry

    def _schedule(self, key: str, expires_at: float) -> None:
        heapq.heappush(self._heap, (expires_at, key))
        # Deleted and re-inserted keys leave stale heap items behind; compact when they outnumber
        # live ones, which keeps the heap O(n) in size and each insert amortised O(log n).
        if len(self._heap) > 2 * len(self._entries) + 64:
            self._heap = [(e.expires_at, k) for k, e in self._entries.items()]
            heapq.heapify(self._heap)

    def _purge_expired(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            deadline, key = heapq.heappop(heap)
            entry = self._entries.get(key)
            if entry is None:
                continue
            if entry.expires_at <= now:
                self._remove(key)
            elif entry.expires_at != deadline:
                # Updated since it was scheduled: updates only move deadlines in the entry (O(1));
                # the heap catches up here, once per entry per expiry window.
                heapq.heappush(heap, (entry.expires_at, key))

    def _insert(
        self, key: str, value: str, ttl: float, user_id: str | None, now: float, successor: str | None = None
    ) -> None:
        expires_at = now + ttl
        self._entries[key] = _Entry(value, expires_at, user_id, successor)
        if user_id is not None:
            self._by_user.setdefault(user_id, set()).add(key)
        self._schedule(key, expires_at)

    def _ensure_room(self, now: float, *, anonymous: bool) -> None:
        self._purge_expired(now)
        cap = self.max_sessions - self.login_reserve if anonymous else self.max_sessions
        if len(self._entries) >= cap:
            kind = "anonymous" if anonymous else "live"
            raise StoreFull(f"memory session store is at its cap of {cap} {kind} sessions", retry_after=30)

    # -- SessionStore ------------------------------------------------------------------------
    async def load(self, key: str) -> str | None:
        entry = self._live(key, self._clock())
        if entry is None:
            return None
        return TOMBSTONE if entry.successor is not None else entry.value

    async def create(self, key: str, value: str, *, ttl: float, user_id: str | None) -> bool:
        now = self._clock()
        if self._live(key, now) is not None:
            return False
        self._ensure_room(now, anonymous=user_id is None)
        self._insert(key, value, ttl, user_id, now)
        return True

    async def update(self, key: str, value: str, *, ttl: float, user_id: str | None = None) -> bool:
        now = self._clock()
        entry = self._live(key, now)
        if entry is None or entry.successor is not None:
            return False
        entry.value = value
        expires_at = now + ttl
        earlier = expires_at < entry.expires_at
        entry.expires_at = expires_at  # before _schedule: a compaction there rebuilds from entries
        if earlier:
            self._schedule(key, expires_at)  # an earlier deadline must be in the heap to be seen
        return True

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
        now = self._clock()
        old = self._live(old_key, now)
        if old is None or old.successor is not None or self._live(new_key, now) is not None:
            return False
        self._remove(old_key)
        # The tombstone reuses the old slot and the new record may exceed the cap by the grace
        # period's tombstones at most: a login must never fail because anonymous visitors filled up.
        self._insert(old_key, TOMBSTONE, grace, None, now, successor=new_key)
        self._insert(new_key, value, ttl, user_id, now)
        return True

    async def delete(self, key: str, *, user_id: str | None) -> None:
        removed = self._remove(key)
        if removed is not None and removed.successor is not None:
            # The caller opened this session before a concurrent rotation: end the successor too.
            self._remove(removed.successor)

    async def delete_user(self, user_id: str) -> int:
        now = self._clock()
        keys = list(self._by_user.get(user_id, ()))
        live = 0
        for key in keys:
            entry = self._remove(key)
            if entry is not None and entry.expires_at > now:
                live += 1
        return live

    async def health(self) -> dict[str, Any]:
        return {
            "backend": "memory",
            "live_sessions": len(self._entries),
            "max_sessions": self.max_sessions,
            "state": "ok" if len(self._entries) < self.max_sessions else "full",
        }

    async def aclose(self) -> None:
        return None


__all__ = ["DEFAULT_MAX_SESSIONS", "MemoryStore"]
