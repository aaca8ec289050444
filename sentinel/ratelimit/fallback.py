"""Shared store, in-process fallback: never unlimited when the shared store is down.

When the shared store (Redis) fails or its circuit breaker is open, operations go to a bounded
in-process store instead. While degraded, each process counts on its own, so a client spread over
``P`` processes gets at most ``P`` times the budget: worse than shared counters, far better than
none, and answered at once rather than after a timeout. The switch and the recovery are logged once
each, not per request.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sentinel.errors import StoreError
from sentinel.events import security_event
from sentinel.ratelimit.memory import MemoryLimiterStore
from sentinel.ratelimit.store import LimiterStore

T = TypeVar("T")

FALLBACK_SUFFIX = " (fallback)"


class Backends:
    """A primary store and the in-process store that stands in for it."""

    def __init__(self, primary: LimiterStore, fallback: LimiterStore | None, *, what: str) -> None:
        if fallback is None:
            fallback = primary if not primary.shared else MemoryLimiterStore()
        if fallback.shared:
            raise ValueError("the fallback store must be in-process (MemoryLimiterStore)")
        self.primary = primary
        self.fallback = fallback
        self.what = what
        self.degraded = False

    def label(self, store: LimiterStore) -> str:
        """How a decision names the store that answered it."""
        if store is self.fallback and store is not self.primary:
            return store.name + FALLBACK_SUFFIX
        return store.name

    async def primary_only(self, operation: Callable[[LimiterStore], Awaitable[T]]) -> T:
        """Run on the primary; raise :class:`~sentinel.errors.StoreError` if it fails."""
        try:
            result = await operation(self.primary)
        except StoreError as exc:
            self._degrade(exc)
            raise
        self._recover()
        return result

    async def run(self, operation: Callable[[LimiterStore], Awaitable[T]]) -> tuple[T, LimiterStore]:
        """Run on the primary, or on the fallback if the primary fails; say which answered."""
        if self.primary is not self.fallback:
            try:
                return await self.primary_only(operation), self.primary
            except StoreError:
                pass
        return await operation(self.fallback), self.fallback

    def _degrade(self, exc: StoreError) -> None:
        if not self.degraded:
            self.degraded = True
            security_event(
                "ratelimit.store_unavailable",
                outcome="in-process fallback",
                level=logging.WARNING,
                limiter=self.what,
                store=self.primary.name,
                error=type(exc).__name__,
            )

    def _recover(self) -> None:
        if self.degraded:
            self.degraded = False
            security_event(
                "ratelimit.store_recovered",
                outcome="shared store back",
                level=logging.INFO,
                limiter=self.what,
                store=self.primary.name,
            )


__all__ = ["FALLBACK_SUFFIX", "Backends"]
