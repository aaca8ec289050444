"""How much work an instance takes on before it says "too busy": named, validated presets.

The seed's lesson from the Black Friday outage: every failing system starts with a backed-up queue,
and a fast 503 beats a slow timeout. A policy therefore bounds both the work in progress
(``max_in_flight``) and the queue in front of it (``max_queue`` requests, each waiting at most
``max_queue_wait`` seconds). Beyond that a request is answered 503 with Retry-After at once.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sentinel.errors import ConfigurationError
from sentinel.shedding.env import env_float, env_int

#: Latency bucket bounds, in seconds, shared by the queue, processing and residence histograms.
#: Prometheus' default buckets with a 1 ms floor: queue waits are usually far below 5 ms.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class SheddingPolicy:
    """Admission limits for one process.

    ``max_in_flight`` is per process (per uvicorn worker): size it from what one worker can finish
    within your latency target, not from how many it can hold.
    """

    max_in_flight: int = 64
    #: How many requests may wait for a slot; 0 sheds at once when every slot is taken.
    max_queue: int = 0
    #: How long a queued request may wait before it is shed (seconds); needed with a queue.
    max_queue_wait: float = 0.0
    #: The Retry-After a shed request is given, in seconds.
    retry_after: int = 1
    #: Shedding counts as "over" once no request has been shed for this long (seconds). Health
    #: output and the ``load.shedding_stopped`` event use it, so a flapping edge logs once.
    recovery_after: float = 5.0

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigurationError(problems)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, base: SheddingPolicy | None = None, **overrides: Any
    ) -> SheddingPolicy:
        """``base`` (default :data:`FAIL_FAST`) changed by ``SENTINEL_MAX_IN_FLIGHT``,
        ``SENTINEL_MAX_QUEUE``, ``SENTINEL_MAX_QUEUE_WAIT`` and ``SENTINEL_SHED_RETRY_AFTER``;
        keyword ``overrides`` win."""
        env = os.environ if environ is None else environ
        read = {
            "max_in_flight": env_int(env, "SENTINEL_MAX_IN_FLIGHT"),
            "max_queue": env_int(env, "SENTINEL_MAX_QUEUE"),
            "max_queue_wait": env_float(env, "SENTINEL_MAX_QUEUE_WAIT"),
            "retry_after": env_int(env, "SENTINEL_SHED_RETRY_AFTER"),
        }
        changes = {name: value for name, value in read.items() if value is not None}
        return dataclasses.replace(base or cls(), **{**changes, **overrides})

    def problems(self) -> list[str]:
        found: list[str] = []
        if not 1 <= self.max_in_flight <= 1_000_000:
            found.append("max_in_flight must be in [1, 1000000]")
        if not 0 <= self.max_queue <= 1_000_000:
            found.append("max_queue must be in [0, 1000000]")
        if not 0 <= self.max_queue_wait <= 30:
            found.append("max_queue_wait must be in [0, 30] seconds: a long queue is the outage")
        if (self.max_queue > 0) != (self.max_queue_wait > 0):
            found.append("max_queue and max_queue_wait go together: both 0 (no queue) or both > 0")
        if not 1 <= self.retry_after <= 3600:
            found.append("retry_after must be in [1, 3600] seconds")
        if not 0 < self.recovery_after <= 300:
            found.append("recovery_after must be in (0, 300] seconds")
        return found


#: No queue: a request either gets a slot now or a 503 now. The default.
FAIL_FAST = SheddingPolicy()

#: Absorbs short bursts: up to half as many again may wait, for at most 100 ms each.
BRIEF_QUEUE = SheddingPolicy(max_in_flight=64, max_queue=32, max_queue_wait=0.1)


__all__ = ["BRIEF_QUEUE", "FAIL_FAST", "LATENCY_BUCKETS", "SheddingPolicy"]
