"""Errors of :mod:`sentinel.ratelimit`.

Every error here derives from :class:`RateLimitError`, which is never raised directly::

    SentinelError
    └── RateLimitError            base of this package; never raised directly
        ├── RateLimited           a check refused the attempt: carries the decision and retry_after
        └── AttemptStateError     record_success/record_failure misused (a caller bug, not an attack)

Configuration mistakes raise :class:`sentinel.errors.ConfigurationError` listing every problem.
Store failures (:class:`sentinel.errors.StoreUnavailable`) never escape the auth limiter: it falls
back to its bounded in-process store instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel.errors import SentinelError

if TYPE_CHECKING:
    from sentinel.problem import Problem
    from sentinel.ratelimit.decision import Decision


class RateLimitError(SentinelError):
    """Base of the rate limiter's errors; never raised directly."""


class RateLimited(RateLimitError):
    """The attempt was refused. Answer with :meth:`problem` (429, Retry-After)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"too many attempts; retry after {decision.retry_after_seconds} s")
        self.decision = decision
        self.retry_after = decision.retry_after_seconds

    def problem(self) -> Problem:
        """The RFC 9457 answer for this refusal."""
        return self.decision.problem()


class AttemptStateError(RateLimitError, RuntimeError):
    """An outcome was recorded for a refused decision, or recorded twice."""


__all__ = ["AttemptStateError", "RateLimitError", "RateLimited"]
