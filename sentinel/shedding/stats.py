"""Counters and latency histograms for the shedder: what health output and metrics read.

The seed asks to measure residence time as its two parts, queue time and processing time, so a
backed-up queue shows up as queue time before it shows up as timeouts. Histograms use cumulative
``le`` buckets like Prometheus, so :mod:`sentinel.observability.metrics` exports them unchanged.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class HistogramSnapshot:
    """Cumulative counts per upper bound (the last bound is ``inf``), with count and sum."""

    bounds: tuple[float, ...]
    cumulative: tuple[int, ...]
    count: int
    sum: float

    def as_dict(self) -> dict[str, Any]:
        pairs = zip(self.bounds, self.cumulative, strict=True)
        buckets = {("+Inf" if b == float("inf") else repr(b)): n for b, n in pairs}
        return {"count": self.count, "sum_s": round(self.sum, 6), "buckets": buckets}


class LatencyHistogram:
    """Fixed-bucket histogram; ``observe`` is one bisect and two additions."""

    __slots__ = ("_bounds", "_counts", "_sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        if list(bounds) != sorted(set(bounds)) or not bounds or bounds[0] <= 0:
            raise ValueError("bucket bounds must be positive, strictly increasing and non-empty")
        self._bounds = bounds
        self._counts = [0] * (len(bounds) + 1)
        self._sum = 0.0

    def observe(self, seconds: float) -> None:
        self._counts[bisect_left(self._bounds, seconds)] += 1
        self._sum += seconds

    def snapshot(self) -> HistogramSnapshot:
        running, cumulative = 0, []
        for n in self._counts:
            running += n
            cumulative.append(running)
        return HistogramSnapshot(
            bounds=(*self._bounds, float("inf")), cumulative=tuple(cumulative), count=running, sum=self._sum
        )


@dataclass(frozen=True, kw_only=True)
class SheddingStats:
    """A consistent view of one shedder at one moment."""

    in_flight: int
    #: Admitted requests waiting for their client to send the body: they hold no slot.
    parked: int
    queued: int
    max_in_flight: int
    max_queue: int
    peak_in_flight: int
    #: Would a request arriving now be admitted (a free slot, or room in the queue)?
    accepting: bool
    #: Was a request shed within the policy's ``recovery_after`` window?
    shedding: bool
    admitted_total: int
    #: Admitted after waiting in the queue (a subset of ``admitted_total``).
    queued_total: int
    shed_full_total: int
    shed_queue_timeout_total: int
    completed_total: int
    queue_wait: HistogramSnapshot
    processing: HistogramSnapshot
    residence: HistogramSnapshot

    @property
    def shed_total(self) -> int:
        return self.shed_full_total + self.shed_queue_timeout_total

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for health output."""
        return {
            "accepting": self.accepting,
            "shedding": self.shedding,
            "in_flight": self.in_flight,
            "parked": self.parked,
            "queued": self.queued,
            "max_in_flight": self.max_in_flight,
            "max_queue": self.max_queue,
            "peak_in_flight": self.peak_in_flight,
            "admitted_total": self.admitted_total,
            "queued_total": self.queued_total,
            "shed_total": {"full": self.shed_full_total, "queue_timeout": self.shed_queue_timeout_total},
            "completed_total": self.completed_total,
            "queue_wait": self.queue_wait.as_dict(),
            "processing": self.processing.as_dict(),
            "residence": self.residence.as_dict(),
        }


__all__ = ["HistogramSnapshot", "LatencyHistogram", "SheddingStats"]
