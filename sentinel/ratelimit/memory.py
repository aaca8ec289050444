"""The embedded, in-process limiter store; also the fallback when a shared store fails.

For one process (use :class:`~sentinel.ratelimit.RedisLimiterStore` to share counters). Its costs are
bounded, and a full store never makes strangers share a budget:

- each counter is forgotten once it holds nothing (level drained, lockout over); expiry is a
  min-heap of those deadlines, popped on every call, so each write costs amortised O(log n) however
  many counters are live;
- *known sources* (a client IP bucket that logged in to an account) are kept apart from the failure
  counters, in their own table capped at ``max_known_sources``: when it is full the oldest marker is
  forgotten. Successful logins, which anyone can make with an account of their own, therefore never
  take room from failure counters; the worst a flood of them does is make some real users strangers
  to their usual IP again (the account limit then applies to them, as to everyone else);
- ``max_entries`` is a hard cap on failure counters. When a new key needs room, the store first
  drops drained counters, then evicts the least recently written *idle* counter (one not in a
  running lockout), looking at most :data:`EVICTION_WINDOW` counters deep. A counter in a running lockout
  is evicted only if every one in that window is locked (then the one whose lockout ends first).
  A new key always gets a counter of its own: before issue #12 a full store charged every new key
  to one shared overflow counter, so six failures by anyone locked out every new login.

The trade-off, written out in ``docs/ratelimit.md``: an attacker who can create ``max_entries`` new
counters (each one a failed attempt, itself limited per IP bucket) can push his own old, idle
counter out and start that pair afresh. Counters he keeps hitting are the most recently written, so
they are evicted last, and a running lockout is kept over an idle counter. The first eviction logs
an ERROR: size the store for your traffic, or use Redis.

Operations never await, so each one is atomic on the event loop.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from sentinel.events import security_event
from sentinel.ratelimit import algorithm
from sentinel.ratelimit.algorithm import Charge, Counter, Verdict
from sentinel.ratelimit.policy import CompiledPolicy
from sentinel.ratelimit.store import AttemptKeys

DEFAULT_MAX_ENTRIES = 100_000
#: How many of the least recently written counters one eviction looks at.
EVICTION_WINDOW = 32
#: The store counts as recovered (logged once) when it falls back to this share of its cap.
_RECOVERED_SHARE = 0.9


class MemoryLimiterStore:
    """A bounded in-memory :class:`~sentinel.ratelimit.LimiterStore`.

    ``max_known_sources`` caps the known-source markers (default: ``max_entries``).
    """

    name = "memory"
    shared = False

    def __init__(
        self, *, max_entries: int = DEFAULT_MAX_ENTRIES, max_known_sources: int | None = None
    ) -> None:
        if max_entries < 4:
            raise ValueError("max_entries must be at least 4 (one attempt needs up to four counters)")
        if max_known_sources is not None and max_known_sources < 1:
            raise ValueError("max_known_sources must be at least 1")
        self.max_entries = max_entries
        self.max_known_sources = max_entries if max_known_sources is None else max_known_sources
        # Least recently written first: the eviction order.
        self._entries: OrderedDict[str, Counter] = OrderedDict()
        # (deadline, key). Items whose counter moved on are stale and skipped when popped.
        self._heap: list[tuple[int, str]] = []
        # Pair key -> end of its known-source status, oldest first.
        self._known: OrderedDict[str, int] = OrderedDict()
        self.evictions = 0
        self._full = False

    def __len__(self) -> int:
        return len(self._entries)

    # -- expiry ------------------------------------------------------------------------------
    def _purge(self, now: int) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, key = heapq.heappop(heap)
            counter = self._entries.get(key)
            if counter is not None and counter.deadline() <= now:
                del self._entries[key]
        known = self._known
        while known and next(iter(known.values())) <= now:
            known.popitem(last=False)

    def _schedule(self, key: str, counter: Counter) -> None:
        heapq.heappush(self._heap, (counter.deadline(), key))
        # Every write leaves a stale item behind; rebuild when they outnumber live counters, which
        # keeps the heap O(n) in size and each write amortised O(log n).
        if len(self._heap) > 2 * len(self._entries) + 64:
            self._heap = [(c.deadline(), k) for k, c in self._entries.items()]
            heapq.heapify(self._heap)

    # -- known sources -----------------------------------------------------------------------
    def _is_known(self, key: str, now: int) -> bool:
        until = self._known.get(key)
        if until is None:
            return False
        if until <= now:
            del self._known[key]
            return False
        return True

    def _remember(self, key: str, until: int) -> None:
        self._known.pop(key, None)
        self._known[key] = until
        while len(self._known) > self.max_known_sources:
            self._known.popitem(last=False)  # the oldest known source is forgotten first

    # -- counters ----------------------------------------------------------------------------
    def _counters(self, keys: list[str], now: int) -> list[Counter]:
        """The counters of ``keys``: stored ones, or fresh ones that are stored only if charged."""
        self._purge(now)  # amortised O(log n): each counter is popped once
        return [self._entries.get(key) or Counter() for key in keys]

    def _commit(self, keys: list[str], counters: list[Counter], now: int) -> None:
        """Store the charged ``counters``, newest last; make room for new keys by evicting."""
        entries = self._entries
        for key, counter in zip(keys, counters, strict=True):
            if key in entries:
                entries.move_to_end(key)
            else:
                while len(entries) >= self.max_entries:
                    self._evict_one(keys, now)
                entries[key] = counter
            self._schedule(key, counter)
        if self._full and len(entries) <= self.max_entries * _RECOVERED_SHARE:
            self._full = False
            security_event("ratelimit.store_full", outcome="recovered", level=logging.INFO)

    def _evict_one(self, protected: Collection[str], now: int) -> None:
        """Forget the least recently written idle counter (a locked one only if the window is all locked)."""
        entries = self._entries
        oldest = itertools.islice(entries, EVICTION_WINDOW + len(protected))
        window = [k for k in oldest if k not in protected]
        victim = next((k for k in window if entries[k].until <= now), None)
        if victim is None:
            victim = min(window, key=lambda k: entries[k].until)  # the lockout that ends first
        # Locked counters passed over move to the back, so the next eviction looks further on.
        for key in window:
            if key == victim:
                break
            entries.move_to_end(key)
        del entries[victim]
        self.evictions += 1
        if not self._full:
            self._full = True
            security_event(
                "ratelimit.store_full",
                outcome="evicting idle counters",
                level=logging.ERROR,
                max_entries=self.max_entries,
            )

    # -- LimiterStore -----------------------------------------------------------------------
    async def attempt(self, keys: AttemptKeys, policy: CompiledPolicy, now: int) -> Verdict:
        names = [keys.pair, keys.account, keys.ip]
        if keys.spelling is not None:
            names.append(keys.spelling)
        counters = self._counters(names, now)
        pair, account, ip = counters[:3]
        spelling = counters[3] if keys.spelling is not None else None
        known = self._is_known(keys.pair, now)
        verdict = algorithm.attempt(pair, account, ip, policy, now, spelling=spelling, known=known)
        if verdict.allowed:
            self._commit(names, counters, now)
        return verdict

    async def succeed(self, keys: AttemptKeys, charge: Charge, policy: CompiledPolicy, now: int) -> None:
        # Resetting the pair forgets its counter; its known-source status lives apart.
        self._entries.pop(keys.pair, None)
        if policy.known_ttl_ms > 0:
            self._remember(keys.pair, now + policy.known_ttl_ms)
        refunds = [
            (keys.account, policy.account, charge.account_new, charge.account_old),
            (keys.ip, policy.ip, charge.ip_new, charge.ip_old),
        ]
        if keys.spelling is not None:
            refunds.append((keys.spelling, policy.account, charge.spelling_new, charge.spelling_old))
        for key, limit, new, old in refunds:
            counter = self._entries.get(key)
            if counter is not None:  # an evicted counter has nothing left to refund
                algorithm.refund(counter, limit.interval_ms, now, new, old)
                self._schedule(key, counter)

    async def throttle(self, key: str, burst: int, interval: int, now: int) -> Verdict:
        counters = self._counters([key], now)
        verdict = algorithm.throttle(counters[0], burst, interval, now)
        if verdict.allowed:
            self._commit([key], counters, now)
        return verdict

    async def health(self) -> dict[str, Any]:
        return {
            "backend": "memory",
            "entries": len(self._entries),
            "max_entries": self.max_entries,
            "known_sources": len(self._known),
            "max_known_sources": self.max_known_sources,
            "evictions": self.evictions,
            "state": "full" if self._full else "ok",
        }

    async def aclose(self) -> None:
        return None


__all__ = ["DEFAULT_MAX_ENTRIES", "EVICTION_WINDOW", "MemoryLimiterStore"]
