"""Running hashes off the event loop, with bounded concurrency and bounded queueing.

argon2-cffi releases the GIL while it hashes, so a thread pool keeps the event loop free. Two bounds:

* ``max_concurrency`` threads at most, in one executor shared by every event loop in the process: memory
  in use is at most ``max_concurrency x memory_cost``, whatever the load. An ``asyncio.Semaphore`` per
  loop queues the waiters *in the loop*, so a cancelled login (client gone) never reaches a thread.
* ``max_pending`` calls waiting or running per loop; beyond that :class:`HasherBusy` is raised at once,
  which the app answers with 503 and Retry-After: a fast "too busy" beats a queue that only grows.

On Linux the hashing threads run at a lower priority (nice +10) than the event loop, so a burst of
logins that saturates every core still leaves the loop scheduled as soon as it wakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sentinel.errors import ConfigurationError
from sentinel.passwords.errors import HasherBusy

T = TypeVar("T")
#: Niceness added to hashing threads on Linux (0 = normal priority, 19 = lowest).
WORKER_NICENESS = 10


def default_concurrency() -> int:
    """About one hash per core the process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _lower_priority() -> None:
    """Run this worker (and the argon2 lane threads it starts, which inherit it) at nice +10.

    Linux schedules threads, not processes, so this leaves the event loop thread at its own priority:
    when hashing saturates the cores, the loop still gets the CPU the moment it wakes, and every other
    request stays fast. Elsewhere ``setpriority`` would renice the whole process, so it is skipped.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)


class _Gate:
    def __init__(self, limit: int) -> None:
        self.semaphore = asyncio.Semaphore(limit)
        self.pending = 0


class Offloader:
    """Run blocking callables in a bounded thread pool, from any number of event loops."""

    def __init__(self, *, max_concurrency: int | None = None, max_pending: int = 256) -> None:
        concurrency = default_concurrency() if max_concurrency is None else max_concurrency
        problems = []
        if not 1 <= concurrency <= 256:
            problems.append("max_concurrency must be 1..256")
        if max_pending < concurrency:
            problems.append("max_pending must be at least max_concurrency")
        if problems:
            raise ConfigurationError(problems)
        self.max_concurrency = concurrency
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gate] = weakref.WeakKeyDictionary()

    def _gate(self, loop: asyncio.AbstractEventLoop) -> tuple[_Gate, ThreadPoolExecutor]:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    self.max_concurrency, thread_name_prefix="sentinel-hash", initializer=_lower_priority
                )
            gate = self._gates.get(loop)
            if gate is None:
                gate = self._gates[loop] = _Gate(self.max_concurrency)
            return gate, self._executor

    async def run(self, fn: Callable[..., T], /, *args: object) -> T:
        loop = asyncio.get_running_loop()
        gate, executor = self._gate(loop)
        if gate.pending >= self.max_pending:
            raise HasherBusy(f"{gate.pending} password hashes already queued; try again shortly")
        gate.pending += 1
        try:
            async with gate.semaphore:
                return await loop.run_in_executor(executor, functools.partial(fn, *args))
        finally:
            gate.pending -= 1

    def close(self) -> None:
        """Stop the worker threads (waiting for running hashes). Later calls start a new pool."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


__all__ = ["Offloader", "default_concurrency"]
