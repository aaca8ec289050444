"""How long a migration will take: time one argon2 hash at the chosen profile, on this machine.

The physical limit of a wrapping run is ``min(workers, cores) / latency of one hash``: everything else
(reading, parsing, writing) is small beside argon2. The dry run reports the time that limit implies;
the benchmark reports how close a real run comes to it.
"""

from __future__ import annotations

import os
import statistics
import time
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
    seconds_per_hash: float

    @property
    def limit(self) -> float:
        """Rows per second at the physical limit: ``min(workers, cores) / latency``."""
        return min(self.workers, self.cores) / self.seconds_per_hash if self.seconds_per_hash > 0 else 0.0

    @property
    def seconds(self) -> float:
        return self.rows / self.limit if self.limit > 0 else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "rows": self.rows,
            "workers": self.workers,
            "cores": self.cores,
            "ms_per_hash": round(self.seconds_per_hash * 1000, 3),
            "rows_per_second_limit": round(self.limit, 2),
            "seconds": round(self.seconds, 1),
        }


def estimate(rows: int, profile: Argon2Profile, workers: int) -> Estimate:
    latency = hash_latency(profile) if rows else 0.0
    return Estimate(rows=rows, workers=workers, cores=default_workers(), seconds_per_hash=latency)


__all__ = ["Estimate", "estimate", "hash_latency", "hash_times"]
