"""``LoadShedder``: admission control for one process, with an optional short, deadlined queue.

A request takes a slot if one is free and nobody is queued (first come, first served). Otherwise it
may wait in a bounded FIFO queue for at most the policy's ``max_queue_wait``; a slot freed by a
finishing request is handed straight to the oldest waiter. With no room in the queue, or once the
deadline passes, the request is refused with :class:`~sentinel.shedding.Overloaded` at once.

A request waiting for its client to send the body does not count as in flight: it gives its slot
back while it waits (:meth:`park`) and takes one again when the bytes arrive (:meth:`unpark`), going
to the head of the queue if the instance is full and shed like any arrival if none frees in time.
A slot bounds the work the process does; a request blocked on the network does none, and counting
it let 64 stalled clients shut out everyone (issue #12). How long one may wait is the body
deadline's job (:class:`~sentinel.shedding.BodyDeadlineMiddleware`).

Everything runs on one event loop and nothing here awaits while it changes state, so no lock is
needed; the only await is a waiter's own future. Entering and leaving shedding are state transitions
the seed asks to log: ``load.shedding_started`` (WARNING) on the first refusal, and
``load.shedding_stopped`` (INFO, with how many were shed) on the first admission after
``recovery_after`` seconds without a refusal.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from sentinel.events import security_event
from sentinel.shedding.errors import Overloaded, ShedReason
from sentinel.shedding.policy import FAIL_FAST, LATENCY_BUCKETS, SheddingPolicy
from sentinel.shedding.stats import LatencyHistogram, SheddingStats


class LoadShedder:
    """Bounds the work in flight. Share one between the middleware, health output and metrics."""

    def __init__(
        self, policy: SheddingPolicy = FAIL_FAST, *, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.policy = policy
        self.clock = clock
        self._max = policy.max_in_flight
        self._in_flight = 0
        self._parked = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._peak = 0
        self._admitted = 0
        self._queued_total = 0
        self._shed = {"full": 0, "queue_timeout": 0}
        self._completed = 0
        self._last_shed: float | None = None
        self._episode_start: float | None = None
        self._episode_shed = 0
        self.queue_wait = LatencyHistogram(LATENCY_BUCKETS)
        self.processing = LatencyHistogram(LATENCY_BUCKETS)
        self.residence = LatencyHistogram(LATENCY_BUCKETS)

    # -- admission -----------------------------------------------------------------------------
    def try_admit(self) -> bool:
        """Take a free slot now if one exists and nobody is queued; never waits."""
        if self._in_flight >= self._max or self._waiters:
            return False
        self._in_flight += 1
        self._admitted += 1
        if self._in_flight > self._peak:
            self._peak = self._in_flight
        if self._episode_start is not None:
            self._maybe_recovered()
        return True

    async def wait_for_slot(self) -> None:
        """Queue for a slot (after :meth:`try_admit` said no); raise :class:`Overloaded` when the
        queue is full or the deadline passes. Returns owning a slot, to be given back by
        :meth:`release`."""
        if len(self._waiters) >= self.policy.max_queue:
            self._refuse("full")
        await self._queue(first=False)
        self._admitted += 1
        self._queued_total += 1

    def release(self, *, queue_wait: float, processing: float, holding: bool = True) -> None:
        """Record the request's queue and processing times (seconds) and give back its slot;
        ``holding=False`` for a request that ended parked (its slot was already given back)."""
        self._completed += 1
        self.queue_wait.observe(queue_wait)
        self.processing.observe(processing)
        self.residence.observe(queue_wait + processing)
        if holding:
            self._hand_over()
        else:
            self._parked -= 1

    def park(self) -> None:
        """The slot's holder waits on its client (a body still to come): lend the slot out."""
        self._parked += 1
        self._hand_over()

    async def unpark(self) -> None:
        """Take a slot back after :meth:`park`: at once if one is free, else first in the queue for at
        most ``max_queue_wait``; raise :class:`Overloaded` (the request stays parked) if none frees."""
        if self._in_flight < self._max and not self._waiters:
            self._in_flight += 1
        else:
            if self.policy.max_queue_wait <= 0:
                self._refuse("full")
            await self._queue(first=True)
        self._parked -= 1
        if self._in_flight > self._peak:
            self._peak = self._in_flight

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """``async with shedder.slot():`` bounds any coroutine, not just HTTP requests."""
        arrived = self.clock()
        if not self.try_admit():
            await self.wait_for_slot()
        admitted = self.clock()
        try:
            yield
        finally:
            self.release(queue_wait=admitted - arrived, processing=self.clock() - admitted)

    # -- internals -----------------------------------------------------------------------------
    async def _queue(self, *, first: bool) -> None:
        """Wait for a handed-over slot, at the back of the queue or (``first``) at its head."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if first:
            self._waiters.appendleft(future)
        else:
            self._waiters.append(future)
        try:
            async with asyncio.timeout(self.policy.max_queue_wait):
                await future
        except TimeoutError:
            if not self._granted(future):
                self._forget(future)
                self._refuse("queue_timeout")
        except asyncio.CancelledError:
            # The client went away while queued. A slot handed over at that very moment is ours:
            # pass it on, or it would leak and shrink the limit for good.
            if self._granted(future):
                self._hand_over()
            else:
                self._forget(future)
            raise

    @staticmethod
    def _granted(future: asyncio.Future[None]) -> bool:
        return future.done() and not future.cancelled()

    def _forget(self, future: asyncio.Future[None]) -> None:
        future.cancel()
        with suppress(ValueError):
            self._waiters.remove(future)

    def _hand_over(self) -> None:
        """Pass the slot to the oldest live waiter, or free it."""
        while self._waiters:
            future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self._in_flight -= 1

    def _refuse(self, reason: ShedReason) -> None:
        now = self.clock()
        self._shed[reason] += 1
        self._last_shed = now
        if self._episode_start is None:
            self._episode_start = now
            self._episode_shed = 0
            security_event(
                "load.shedding_started",
                outcome="shedding",
                level=logging.WARNING,
                reason=reason,
                in_flight=self._in_flight,
                queued=len(self._waiters),
                max_in_flight=self._max,
            )
        self._episode_shed += 1
        raise Overloaded(reason, retry_after=self.policy.retry_after)

    def _maybe_recovered(self) -> None:
        now = self.clock()
        if self._last_shed is None or self._episode_start is None:
            return
        if now - self._last_shed < self.policy.recovery_after:
            return
        security_event(
            "load.shedding_stopped",
            outcome="recovered",
            level=logging.INFO,
            shed=self._episode_shed,
            duration_s=round(self._last_shed - self._episode_start, 3),
        )
        self._episode_start = None

    # -- observation ---------------------------------------------------------------------------
    def stats(self) -> SheddingStats:
        now = self.clock()
        queued = len(self._waiters)
        return SheddingStats(
            in_flight=self._in_flight,
            parked=self._parked,
            queued=queued,
            max_in_flight=self._max,
            max_queue=self.policy.max_queue,
            peak_in_flight=self._peak,
            accepting=self._in_flight < self._max or queued < self.policy.max_queue,
            shedding=self._last_shed is not None and now - self._last_shed < self.policy.recovery_after,
            admitted_total=self._admitted,
            queued_total=self._queued_total,
            shed_full_total=self._shed["full"],
            shed_queue_timeout_total=self._shed["queue_timeout"],
            completed_total=self._completed,
            queue_wait=self.queue_wait.snapshot(),
            processing=self.processing.snapshot(),
            residence=self.residence.snapshot(),
        )

    async def health(self) -> dict[str, Any]:
        """Same shape as the stores' ``health()``, so a health endpoint can list it with them."""
        stats = self.stats()
        return {"backend": "load shedder", "state": "ok" if stats.accepting else "full", **stats.as_dict()}


__all__ = ["LoadShedder"]
