"""A circuit breaker and a bounded call wrapper for network-backed stores.

The seed's Black Friday outage was threads waiting forever on a pool with no timeout. Every store call
therefore runs under a hard deadline, and after ``failure_threshold`` consecutive failures the breaker
opens: calls fail at once with :class:`StoreUnavailable` (a fast 503 with Retry-After) instead of
queueing behind a sick server. After ``reset_timeout`` one trial call is let through (half-open); its
success closes the breaker.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from sentinel.errors import StoreUnavailable
from sentinel.events import security_event

T = TypeVar("T")
State = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Counts consecutive failures of one backend and short-circuits calls while it is sick."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 3,
        reset_timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        hint: str | None = None,
    ) -> None:
        if failure_threshold < 1 or reset_timeout <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_timeout > 0")
        self.name = name
        #: Said in the "circuit open" event: what is failing and which setting points at it.
        self.hint = hint
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_timeout:
            return "half-open"
        return "open"

    def retry_after(self) -> int:
        """Seconds until the breaker will let a trial call through (at least 1)."""
        if self._opened_at is None:
            return 1
        remaining = self.reset_timeout - (self._clock() - self._opened_at)
        return max(1, math.ceil(remaining))

    def before_call(self) -> None:
        """Raise :class:`StoreUnavailable` at once unless a call may go through now."""
        state = self.state
        if state == "open" or (state == "half-open" and self._trial_in_flight):
            raise StoreUnavailable(
                f"{self.name} circuit is open; not waiting on it", retry_after=self.retry_after()
            )
        if state == "half-open":
            self._trial_in_flight = True

    def record_success(self) -> None:
        if self._opened_at is not None:
            security_event("store.circuit_closed", outcome="recovered", level=logging.INFO, store=self.name)
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def record_failure(self, error: BaseException | None = None) -> None:
        self._failures += 1
        self._trial_in_flight = False
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            if self._opened_at is None:
                extra: dict[str, Any] = {} if self.hint is None else {"hint": self.hint}
                if error is not None:
                    extra["error"] = f"{type(error).__name__}: {error}"[:200]
                security_event(
                    "store.circuit_open",
                    outcome="failing fast",
                    level=logging.ERROR,
                    store=self.name,
                    reset_after_s=self.reset_timeout,
                    **extra,
                )
            self._opened_at = self._clock()

    async def call(self, operation: Callable[[], Awaitable[T]], *, timeout: float) -> T:
        """Run ``operation`` under ``timeout`` seconds, mapping every failure to StoreUnavailable."""
        self.before_call()
        try:
            async with asyncio.timeout(timeout):
                result = await operation()
        except asyncio.CancelledError:
            self._trial_in_flight = False
            raise
        except Exception as exc:
            self.record_failure(exc)
            raise StoreUnavailable(
                f"{self.name} failed: {type(exc).__name__}", retry_after=self.retry_after()
            ) from exc
        self.record_success()
        return result


__all__ = ["CircuitBreaker", "State"]
