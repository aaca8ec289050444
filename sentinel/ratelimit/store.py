"""The contract every rate-limit store keeps.

A store holds :class:`~sentinel.ratelimit.algorithm.Counter` state under keys that are already
HMACs (no usernames or IP addresses reach a store). Each verb is one atomic step, so concurrent
workers can never over-grant:

- ``attempt`` checks the pair, account, spelling and IP limits and, only when all allow it, charges
  them all;
- ``succeed`` resets the pair (remembering it as a known source) and refunds the account, spelling
  and IP charges of that one attempt, lifting the lockouts that charge started;
- ``throttle`` is the plain per-key rate used by :class:`~sentinel.ratelimit.RateLimitMiddleware`.

Network stores raise :class:`~sentinel.errors.StoreUnavailable` rather than hang; the limiter then
falls back to its in-process store. The in-process store never raises: at its cap it forgets its
least useful state (known sources apart, then idle counters) and never makes strangers share one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sentinel.ratelimit.algorithm import Charge, Verdict
from sentinel.ratelimit.policy import CompiledPolicy


@dataclass(frozen=True, kw_only=True, slots=True)
class AttemptKeys:
    """The hashed keys of one login attempt.

    ``account`` is the resolved user's key (or, for a name that resolves to no one, a key that moves
    in step with the spelling's); ``spelling`` is the typed name's spelling key, charged with the
    account's limit so that a locked-out name is locked whether or not it exists. ``AuthLimiter``
    always gives all four; ``spelling=None`` (three counters) remains valid for a store's callers.
    """

    pair: str
    account: str
    ip: str
    spelling: str | None = None


@runtime_checkable
class LimiterStore(Protocol):
    """Async storage of limiter counters. Times are integer milliseconds."""

    @property
    def name(self) -> str:
        """Short backend name shown in decisions and health output: ``memory``, ``redis``."""
        ...

    @property
    def shared(self) -> bool:
        """Whether several processes share these counters (then keys need a configured secret)."""
        ...

    async def attempt(self, keys: AttemptKeys, policy: CompiledPolicy, now: int) -> Verdict:
        """Check every limit; charge them all only if every one allows. One round trip."""
        ...

    async def succeed(self, keys: AttemptKeys, charge: Charge, policy: CompiledPolicy, now: int) -> None:
        """Record that the attempt that made ``charge`` succeeded. One round trip."""
        ...

    async def throttle(self, key: str, burst: int, interval: int, now: int) -> Verdict:
        """Count one request against a plain GCRA rate. One round trip."""
        ...

    async def health(self) -> dict[str, Any]:
        """A small, secret-free description of the store's state."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


__all__ = ["AttemptKeys", "LimiterStore"]
