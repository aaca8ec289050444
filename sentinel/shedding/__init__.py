"""Load shedding: bound the requests in flight and answer the rest 503 at once; answer 408 to request
bodies that do not arrive in time (``docs/operations.md``)."""

from sentinel.shedding.deadline import BodyDeadline, BodyDeadlineMiddleware
from sentinel.shedding.errors import Overloaded, SheddingError, ShedReason
from sentinel.shedding.limiter import LoadShedder
from sentinel.shedding.middleware import LoadSheddingMiddleware, overloaded_problem
from sentinel.shedding.paths import PathMatcher
from sentinel.shedding.policy import BRIEF_QUEUE, FAIL_FAST, LATENCY_BUCKETS, SheddingPolicy
from sentinel.shedding.stats import HistogramSnapshot, LatencyHistogram, SheddingStats

__all__ = [
    "BRIEF_QUEUE",
    "FAIL_FAST",
    "LATENCY_BUCKETS",
    "BodyDeadline",
    "BodyDeadlineMiddleware",
    "HistogramSnapshot",
    "LatencyHistogram",
    "LoadShedder",
    "LoadSheddingMiddleware",
    "Overloaded",
    "PathMatcher",
    "ShedReason",
    "SheddingError",
    "SheddingPolicy",
    "SheddingStats",
    "overloaded_problem",
]
