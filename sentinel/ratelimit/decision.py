"""The answer to one login attempt, and how a refusal becomes a 429.

A refusal is answered the same way whichever limit refused (pair, account or IP), so the answer
tells an attacker nothing about which budget he exhausted or whether the account exists: unknown
accounts are limited exactly like real ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.responses import Response

from sentinel.problem import Problem, problem_response
from sentinel.ratelimit.errors import RateLimited

if TYPE_CHECKING:
    from sentinel.ratelimit.algorithm import Charge
    from sentinel.ratelimit.store import AttemptKeys, LimiterStore

#: Names in :attr:`Decision.blocked_by`.
LIMIT_NAMES = ("pair", "account", "ip", "account-ceiling")

AUTH_PROBLEM_SLUG = "too-many-attempts"
ROUTE_PROBLEM_SLUG = "rate-limited"


def too_many_attempts(retry_after: int) -> Problem:
    """The 429 for a refused login attempt."""
    return Problem(
        status=429,
        slug=AUTH_PROBLEM_SLUG,
        title="Too many attempts",
        detail=f"Too many failed sign-in attempts. Wait {retry_after} s before trying again.",
        retry_after=retry_after,
    )


def too_many_requests(retry_after: int) -> Problem:
    """The 429 for a request over the general per-client rate."""
    return Problem(
        status=429,
        slug=ROUTE_PROBLEM_SLUG,
        title="Too many requests",
        detail=f"This client sent too many requests. Wait {retry_after} s before retrying.",
        retry_after=retry_after,
    )


class Ticket:
    """What the limiter needs to record this attempt's outcome. Usable once."""

    __slots__ = ("charge", "keys", "log_id", "owner", "spent", "store")

    def __init__(
        self, *, owner: object, store: LimiterStore, keys: AttemptKeys, charge: Charge, log_id: str
    ) -> None:
        self.owner = owner
        self.store = store
        self.keys = keys
        self.charge = charge
        self.log_id = log_id
        self.spent = False

    def __repr__(self) -> str:
        return f"Ticket(store={self.store.name!r}, spent={self.spent})"


@dataclass(frozen=True, kw_only=True)
class Decision:
    """Whether one login attempt may go ahead.

    When ``allowed``, the attempt is already counted as a failure: call
    :meth:`~sentinel.ratelimit.AuthLimiter.record_success` if the password was right (that refunds
    it), or :meth:`~sentinel.ratelimit.AuthLimiter.record_failure` if not.
    """

    allowed: bool
    #: Seconds until an attempt from this client on this account may pass (0 when allowed).
    retry_after: float
    #: Which limits refused: a subset of :data:`LIMIT_NAMES`. Log it; never show it to the client.
    blocked_by: frozenset[str] = frozenset()
    #: The client's IP bucket logged in to this account recently, so the account limit skips it.
    known_source: bool = False
    #: The store that answered: ``memory``, ``redis``, or ``memory (fallback)`` when the shared
    #: store was unavailable.
    backend: str = "memory"
    #: If this allowed attempt fails, seconds until the next one from this client may pass.
    lockout_if_failed: float = 0.0
    ticket: Ticket | None = field(default=None, repr=False, compare=False)

    @property
    def retry_after_seconds(self) -> int:
        """``retry_after`` rounded up to whole seconds, as Retry-After carries it (0 if allowed)."""
        return 0 if self.allowed else max(1, math.ceil(self.retry_after))

    def problem(self) -> Problem:
        """The 429 ``application/problem+json`` answer for a refusal."""
        if self.allowed:
            raise ValueError("an allowed decision has no problem answer")
        return too_many_attempts(self.retry_after_seconds)

    def response(self) -> Response:
        """The 429 answer as a Starlette response."""
        return problem_response(self.problem())

    def raise_for_refusal(self) -> None:
        """Raise :class:`~sentinel.ratelimit.RateLimited` unless the attempt is allowed."""
        if not self.allowed:
            raise RateLimited(self)


__all__ = [
    "AUTH_PROBLEM_SLUG",
    "LIMIT_NAMES",
    "ROUTE_PROBLEM_SLUG",
    "Decision",
    "Ticket",
    "too_many_attempts",
    "too_many_requests",
]
