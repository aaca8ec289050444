"""The embedded, in-process limiter store; also the fallback when a shared store fails.

For one process (use :class:`~sentinel.ratelimit.RedisLimiterStore` to share counters). Its costs are
bounded:

- each counter is forgotten once it holds nothing (level drained, lockout over, not a known source);
  expiry is a min-heap of those deadlines, popped on every call, so each write costs amortised
  O(log n) however many counters are live;
- ``max_entries`` is a hard cap on live counters. When it is full, a *new* key is not given a
  counter of its own: it is charged to a shared overflow counter for its limit (one for all new
  pairs, one for all new accounts, one for all new IPs). That fails safe: attempts are still counted
  and limited (as a group, so more strictly), never let through unlimited, and no live counter is
  evicted (eviction would hand an attacker a fresh budget). The first overflow logs an ERROR.

Operations never await, so each one is atomic on the event loop.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
from typing import Any

from sentinel.events import security_event
from sentinel.ratelimit import algorithm
from sentinel.ratelimit.algorithm import (
    BLOCKED_ACCOUNT,
    BLOCKED_IP,
    BLOCKED_PAIR,
    Charge,
    Counter,
    Verdict,
)
from sentinel.ratelimit.policy import CompiledPolicy
from sentinel.ratelimit.store import AttemptKeys

DEFAULT_MAX_ENTRIES = 100_000
#: Overflow slot of the general middleware's throttle counters.
_THROTTLE = 16


class MemoryLimiterStore:
    """A bounded in-memory :class:`~sentinel.ratelimit.LimiterStore`."""

    name = "memory"
    shared = False

    def __init__(self, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 3:
            raise ValueError("max_entries must be at least 3 (one attempt needs three counters)")
        self.max_entries = max_entries
        self._entries: dict[str, Counter] = {}
        # (deadline, key). Items whose counter moved on are stale and skipped when popped.
        self._heap: list[tuple[int, str]] = []
        self._overflow = {bit: Counter() for bit in (BLOCKED_PAIR, BLOCKED_ACCOUNT, BLOCKED_IP, _THROTTLE)}
        self._full = False

    def __len__(self) -> int:
        return len(self._entries)

    # -- internals ---------------------------------------------------------------------------
    def _purge(self, now: int) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, key = heapq.heappop(heap)
            counter = self._entries.get(key)
            if counter is not None and counter.deadline() <= now:
                del self._entries[key]

    def _schedule(self, key: str, counter: Counter) -> None:
        heapq.heappush(self._heap, (counter.deadline(), key))
        # Every write leaves a stale item behind; rebuild when they outnumber live counters, which
        # keeps the heap O(n) in size and each write amortised O(log n).
        if len(self._heap) > 2 * len(self._entries) + 64:
            self._heap = [(c.deadline(), k) for k, c in self._entries.items()]
            heapq.heapify(self._heap)

    def _slots(self, wanted: list[tuple[int, str]], now: int) -> tuple[list[Counter], list[str], int]:
        """Counters for ``wanted`` (bit, key): existing, fresh while there is room, else overflow.

        Returns the counters, the keys whose fresh counter must be stored if charged, and the
        overflow bits. Nothing is stored here: a refused attempt leaves no trace.
        """
        entries = self._entries
        self._purge(now)  # amortised O(log n): each counter is popped once
        room = self.max_entries - len(entries)
        counters: list[Counter] = []
        fresh: list[str] = []
        overflow = 0
        for bit, key in wanted:
            counter = entries.get(key)
            if counter is None:
                if room > 0:
                    room -= 1
                    counter = Counter()
                    fresh.append(key)
                else:
                    counter = self._overflow[bit]
                    overflow |= bit
            counters.append(counter)
        self._note_capacity(overflow)
        return counters, fresh, overflow

    def _note_capacity(self, overflow: int) -> None:
        if overflow and not self._full:
            self._full = True
            security_event(
                "ratelimit.store_full",
                outcome="overflow counters in use",
                level=logging.ERROR,
                max_entries=self.max_entries,
            )
        elif not overflow and self._full and len(self._entries) < self.max_entries:
            self._full = False
            security_event("ratelimit.store_full", outcome="recovered", level=logging.INFO)

    def _commit(self, keys: list[str], counters: list[Counter], fresh: list[str]) -> None:
        for key, counter in zip(keys, counters, strict=True):
            if key in fresh:
                self._entries[key] = counter
            if self._entries.get(key) is counter:
                self._schedule(key, counter)

    # -- LimiterStore -----------------------------------------------------------------------
    async def attempt(self, keys: AttemptKeys, policy: CompiledPolicy, now: int) -> Verdict:
        wanted = [(BLOCKED_PAIR, keys.pair), (BLOCKED_ACCOUNT, keys.account), (BLOCKED_IP, keys.ip)]
        (pair, account, ip), fresh, overflow = self._slots(wanted, now)
        verdict = algorithm.attempt(pair, account, ip, policy, now)
        if not verdict.allowed:
            return verdict
        self._commit([keys.pair, keys.account, keys.ip], [pair, account, ip], fresh)
        if overflow:
            charge = dataclasses.replace(verdict.charge, overflow=overflow)
            verdict = dataclasses.replace(verdict, charge=charge)
        return verdict

    async def succeed(self, keys: AttemptKeys, charge: Charge, policy: CompiledPolicy, now: int) -> None:
        if charge.overflow & BLOCKED_PAIR:
            # A shared overflow counter is only refunded: one success must not reset everyone's.
            shared = self._overflow[BLOCKED_PAIR]
            algorithm.refund(shared, policy.pair.interval_ms, now, charge.pair_new, charge.pair_old)
        else:
            self._reset_pair(keys.pair, policy.known_ttl_ms, now)
        refunds = (
            (BLOCKED_ACCOUNT, keys.account, policy.account, charge.account_new, charge.account_old),
            (BLOCKED_IP, keys.ip, policy.ip, charge.ip_new, charge.ip_old),
        )
        for bit, key, limit, new, old in refunds:
            counter = self._overflow[bit] if charge.overflow & bit else self._entries.get(key)
            if counter is not None:
                algorithm.refund(counter, limit.interval_ms, now, new, old)
                if self._entries.get(key) is counter:
                    self._schedule(key, counter)

    def _reset_pair(self, key: str, known_ttl: int, now: int) -> None:
        pair = self._entries.get(key)
        if pair is None:
            if known_ttl <= 0:
                return
            (pair,), _, overflow = self._slots([(BLOCKED_PAIR, key)], now)
            if overflow:  # no room to remember a known source: stay stricter, store nothing
                return
            self._entries[key] = pair
        algorithm.reset_pair(pair, known_ttl, now)
        self._schedule(key, pair)

    async def throttle(self, key: str, burst: int, interval: int, now: int) -> Verdict:
        (counter,), fresh, _ = self._slots([(_THROTTLE, key)], now)
        verdict = algorithm.throttle(counter, burst, interval, now)
        if verdict.allowed:
            self._commit([key], [counter], fresh)
        return verdict

    async def health(self) -> dict[str, Any]:
        return {
            "backend": "memory",
            "entries": len(self._entries),
            "max_entries": self.max_entries,
            "state": "full" if self._full else "ok",
        }

    async def aclose(self) -> None:
        return None


__all__ = ["DEFAULT_MAX_ENTRIES", "MemoryLimiterStore"]
