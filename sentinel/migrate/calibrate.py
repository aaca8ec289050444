"""How long a migration will take, calibrated on this machine, this database and this table's rows.

The dry run wraps a sample of the table's own legacy rows (a few of each scheme, in memory, with the
run's real hasher) and times them, wall and CPU; and it times the database: one round trip, and one
read of a batch. The rate it reports is the lowest of three limits:

* ``workers / wall seconds per wrap``: each worker process does one wrap at a time;
* ``cores / (CPU seconds per wrap + database seconds per row)``: the cores are shared by the workers
  (an argon2 hash with several lanes uses several cores) and by the parent process, which reads,
  classifies and writes every row;
* ``1 / database seconds per row``: the parent writes batches one at a time;

and, measured rather than derived, the rate at which ``workers`` wraps of those rows run *at the same
time* on this machine now, with the database time per row added. On a machine other processes share,
``workers`` cores are not really free, and only running them side by side shows how much of them is.

The database time per row counts a batch read as measured, plus one round trip per row written (some
drivers send an executemany as one statement per row) and one for the commit. Timing one bare argon2
hash instead, as earlier releases did, ignored the second and third limits, and was 24% optimistic on
a 200,000-row PostgreSQL table.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import argon2

from sentinel.migrate.pool import default_workers
from sentinel.passwords import Argon2Profile


def hash_times(profile: Argon2Profile, *, samples: int = 3) -> tuple[float, float]:
    """Median ``(wall seconds, CPU seconds)`` of one argon2 hash at ``profile``, after a warm-up.

    They differ when the profile has several lanes (``parallelism``): argon2 then hashes on several
    threads, so one hash alone can use more than one core.
    """
    hasher = argon2.PasswordHasher.from_parameters(profile.parameters())
    secret = os.urandom(20)
    hasher.hash(secret)
    walls, cpus = [], []
    for _ in range(max(1, samples)):
        wall, cpu = time.perf_counter(), time.process_time()
        hasher.hash(secret)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def hash_latency(profile: Argon2Profile, *, samples: int = 3) -> float:
    """Median wall-clock seconds for one argon2 hash at ``profile``."""
    return hash_times(profile, samples=samples)[0]


@dataclass(frozen=True, kw_only=True)
class Estimate:
    rows: int
    workers: int
    cores: int
    #: Wall seconds of one wrap (or, uncalibrated, of one bare argon2 hash).
    seconds_per_hash: float
    #: CPU seconds of one wrap (0: unknown, taken as the wall time).
    cpu_per_hash: float = 0.0
    #: Database seconds per row: its share of a batch read, a write round trip, a commit.
    db_per_row: float = 0.0
    #: How many of the table's own rows were wrapped to calibrate (0: a bare hash was timed).
    sampled: int = 0
    #: Wraps per second with ``workers`` running at once, as measured (0: not measured).
    parallel_rate: float = 0.0

    @property
    def limit(self) -> float:
        """Rows per second: the lowest of the three limits in the module docstring."""
        if self.seconds_per_hash <= 0:
            return 0.0
        cpu = self.cpu_per_hash or self.seconds_per_hash
        limits = [self.workers / self.seconds_per_hash, self.cores / (cpu + self.db_per_row)]
        if self.db_per_row > 0:
            limits.append(1 / self.db_per_row)
        if self.parallel_rate > 0:
            limits.append(1 / (1 / self.parallel_rate + self.db_per_row))
        return min(limits)

    @property
    def seconds(self) -> float:
        return self.rows / self.limit if self.limit > 0 else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "rows": self.rows,
            "workers": self.workers,
            "cores": self.cores,
            "ms_per_hash": round(self.seconds_per_hash * 1000, 3),
            "cpu_ms_per_hash": round((self.cpu_per_hash or self.seconds_per_hash) * 1000, 3),
            "db_ms_per_row": round(self.db_per_row * 1000, 3),
            "sampled_rows": self.sampled,
            "parallel_wraps_per_second": round(self.parallel_rate, 2),
            "rows_per_second_limit": round(self.limit, 2),
            "seconds": round(self.seconds, 1),
        }


def estimate(rows: int, profile: Argon2Profile, workers: int) -> Estimate:
    """The uncalibrated estimate: one bare argon2 hash, no database (what the benchmark compares)."""
    wall, cpu = hash_times(profile) if rows else (0.0, 0.0)
    return Estimate(
        rows=rows, workers=workers, cores=default_workers(), seconds_per_hash=wall, cpu_per_hash=cpu
    )


def time_calls(calls: Sequence[Callable[[], object]]) -> tuple[float, float]:
    """Median ``(wall, CPU)`` seconds of ``calls``, each run once after the first is run untimed."""
    if not calls:
        return 0.0, 0.0
    calls[0]()
    walls, cpus = [], []
    for call in calls:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def parallel_rate(calls: Sequence[Callable[[], object]], workers: int) -> float:
    """Calls per second with ``workers`` threads running ``calls`` side by side (at least two rounds).

    Threads stand in for the worker processes: argon2-cffi releases the GIL while it hashes, which is
    nearly all of a wrap."""
    if not calls or workers < 1:
        return 0.0
    jobs = [calls[i % len(calls)] for i in range(max(len(calls), 2 * workers))]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        started = time.perf_counter()
        list(pool.map(lambda call: call(), jobs))
        elapsed = time.perf_counter() - started
    return len(jobs) / elapsed if elapsed > 0 else 0.0


__all__ = ["Estimate", "estimate", "hash_latency", "hash_times", "parallel_rate", "time_calls"]
