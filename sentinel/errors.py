"""Sentinel's exception tree.

Every error Sentinel raises derives from :class:`SentinelError`, which is never raised directly::

    SentinelError
    ├── ConfigurationError        bad settings, reported all at once at construction
    └── StoreError
        ├── StoreUnavailable      a backing store timed out, failed, or its breaker is open
        └── StoreFull             a bounded in-process store refused a new entry

``SentinelUnsafeWarning`` (a ``UserWarning``) marks an explicitly chosen unsafe setting.

Subpackages add their own branches under :class:`SentinelError`. Third-party errors are mapped at the
boundary with ``raise X(...) from exc`` so callers never catch redis or argon2 exceptions.
"""

from __future__ import annotations


class SentinelError(Exception):
    """Base of every Sentinel error; never raised directly."""


class ConfigurationError(SentinelError, ValueError):
    """Settings are invalid. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid Sentinel configuration: " + "; ".join(self.problems))


class SentinelUnsafeWarning(UserWarning):
    """An explicitly chosen setting weakens a security property. Emitted once, at start-up."""


class StoreError(SentinelError):
    """A backing store could not serve a request."""

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreUnavailable(StoreError):
    """The store failed, timed out, or its circuit breaker is open: answer 503, do not wait."""


class StoreFull(StoreError):
    """A bounded store is at its cap; refusing beats silently dropping someone else's entry."""


__all__ = [
    "ConfigurationError",
    "SentinelError",
    "SentinelUnsafeWarning",
    "StoreError",
    "StoreFull",
    "StoreUnavailable",
]
