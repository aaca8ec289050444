"""Politeness: a requests-per-second cap, a request budget, and Retry-After handling.

The cap spaces request *starts* at least ``1/max_rps`` apart across every probe of a scan (a single
shared schedule, not a per-probe one), so concurrency never multiplies the rate. Retry-After is
honoured up to a bound: a server asking for an hour gets its answer returned instead of a hung scan.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import time
from collections.abc import Awaitable, Callable

from scanner.errors import BudgetExhausted, ShareSpent


class RateLimiter:
    """Spaces request starts ``1/rps`` seconds apart, shared by all callers."""

    def __init__(
        self,
        rps: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rps
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        delay = slot - now
        if delay > 0:
            await self._sleep(delay)


class Budget:
    """Counts requests; the one past ``limit`` raises :class:`BudgetExhausted` instead of being sent."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        #: A soft cap (an absolute ``used`` count) for the check running now; see :mod:`scanner.plan`.
        self.cap: int | None = None
        self._share = 0

    def take(self) -> None:
        if self.used >= self.limit:
            raise BudgetExhausted(self.limit)
        if self.cap is not None and self.used >= self.cap:
            raise ShareSpent(self._share)
        self.used += 1

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def cap_share(self, share: int | None) -> None:
        """Let the next ``share`` requests through (``None`` lifts the cap)."""
        self._share = share or 0
        self.cap = None if share is None else self.used + share

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date); ``None`` if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def backoff_delay(attempt: int, retry_after: float | None, *, base: float, bound: float) -> float | None:
    """How long to wait before retry ``attempt`` (0-based); ``None`` when the server asks too much."""
    if retry_after is not None:
        return retry_after if retry_after <= bound else None
    return min(bound, base * 2.0**attempt)


__all__ = ["Budget", "RateLimiter", "backoff_delay", "retry_after_seconds"]
