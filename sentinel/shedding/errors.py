"""Load-shedding errors.

The tree::

    SentinelError
    └── SheddingError          base of this package's errors; never raised directly
        └── Overloaded         no slot free (and no queue room, or the queue deadline passed)

:class:`Overloaded` carries what the refusal needs: ``retry_after`` (seconds, for the Retry-After
header) and ``reason`` (``"full"`` or ``"queue_timeout"``, for metrics).
"""

from __future__ import annotations

from typing import Literal

from sentinel.errors import SentinelError

ShedReason = Literal["full", "queue_timeout"]


class SheddingError(SentinelError):
    """Base of the load-shedding errors; never raised directly."""


class Overloaded(SheddingError):
    """The request was shed: answer 503 with Retry-After now rather than queue behind the others."""

    def __init__(self, reason: ShedReason, *, retry_after: int) -> None:
        super().__init__(f"shed: {reason}")
        self.reason: ShedReason = reason
        self.retry_after = retry_after


__all__ = ["Overloaded", "ShedReason", "SheddingError"]
