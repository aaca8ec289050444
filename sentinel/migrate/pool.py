"""The pool of hashing processes, and the memory check made before it starts.

argon2 allocates its whole ``m`` for each hash, so ``workers x m`` (plus each process's own footprint)
must fit in the memory the host can spare. The default is one worker per usable core; the check
refuses, with the numbers and the fix, rather than letting the OOM killer pick a victim on a database
host.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sentinel.migrate.errors import MemoryBudgetExceeded, WorkerCrashed
from sentinel.migrate.worker import Item, Outcome, WorkerSpec, init_worker, ping, wrap_chunk
from sentinel.passwords import Argon2Profile

MIB = 2**20
#: Resident memory of one worker process besides argon2's own buffer (interpreter, argon2-cffi, ...).
WORKER_OVERHEAD_BYTES = 48 * MIB
#: Most rows sent to a worker at once.
MAX_CHUNK = 4
#: How long to wait for every worker to start before hashing begins anyway.
WARM_UP_SECONDS = 30.0


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def available_memory() -> int | None:
    """Bytes the kernel says can be allocated without swapping (``MemAvailable``), if known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_needed(workers: int, profile: Argon2Profile) -> int:
    return workers * (profile.memory_cost * 1024 + WORKER_OVERHEAD_BYTES)


def check_memory(workers: int, profile: Argon2Profile, max_memory: int | None) -> int:
    """The bytes ``workers`` will use; ``MemoryBudgetExceeded`` when that exceeds the budget, which is
    the memory available, or ``max_memory`` when that is smaller."""
    needed = memory_needed(workers, profile)
    available = available_memory()
    budgets = [(b, s) for b, s in ((available, "available"), (max_memory, "--max-memory")) if b is not None]
    if not budgets:
        return needed
    budget, source = min(budgets)
    if needed <= budget:
        return needed
    per_worker = memory_needed(1, profile)
    fits = budget // per_worker
    fix = f"use --workers {fits}" if fits else "free memory"
    raise MemoryBudgetExceeded(
        f"{workers} workers x ({profile.memory_cost // 1024} MiB argon2 + {WORKER_OVERHEAD_BYTES // MIB} "
        f"MiB per process) = {needed // MIB} MiB, over the {budget // MIB} MiB {source}: {fix}, "
        "or --profile owasp",
        needed=needed,
        budget=budget,
    )


class WorkerPool:
    """``workers`` processes, each with its own hasher. Started with *spawn*: a clean interpreter that
    sees the current environment (the pepper), and no threads or connections copied from the parent."""

    def __init__(self, spec: WorkerSpec, workers: int) -> None:
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(spec, os.getpid()),
        )

    def warm_up(self) -> None:
        """Start every worker and wait until each has built its hasher, so timing excludes start-up."""
        pids: set[int] = set()
        deadline = time.monotonic() + WARM_UP_SECONDS
        try:
            while len(pids) < self.workers and time.monotonic() < deadline:
                pids |= {f.result() for f in [self._executor.submit(ping) for _ in range(self.workers)]}
        except BrokenProcessPool as exc:
            raise WorkerCrashed(f"a hashing worker failed to start: {exc}") from None

    def submit(self, items: list[Item]) -> Future[list[Outcome]]:
        return self._executor.submit(wrap_chunk, items)

    def close(self, *, cancel: bool = False) -> None:
        self._executor.shutdown(wait=True, cancel_futures=cancel)


def chunks(items: list[Item], workers: int) -> list[list[Item]]:
    """Split one batch into pieces of at most :data:`MAX_CHUNK` rows, at least four per worker.

    Small pieces keep every worker busy to the end (the last piece is all that can run alone), while
    the cost of sending one (about 0.1 ms) stays far below one argon2 hash.
    """
    if not items:
        return []
    size = max(1, min(MAX_CHUNK, -(-len(items) // (workers * 4))))
    return [items[i : i + size] for i in range(0, len(items), size)]


__all__ = [
    "MAX_CHUNK",
    "WARM_UP_SECONDS",
    "WORKER_OVERHEAD_BYTES",
    "WorkerPool",
    "available_memory",
    "check_memory",
    "chunks",
    "default_workers",
    "memory_needed",
]
