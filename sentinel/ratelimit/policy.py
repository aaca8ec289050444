"""Rate-limit policies: named, typed presets whose worst cases are computed, not guessed.

A :class:`Limit` is one failure budget. Failures add to a *level* that forgives one failure every
``forgive_every`` seconds (a leaky bucket, kept as a GCRA "theoretical arrival time"). Once the level
reaches ``free``, every further failure starts a *soft lockout*: ``first_lockout`` seconds, doubling
with each failure above ``free``, capped at ``max_lockout``. Lockouts expire by themselves and the
level drains by itself, so nothing is ever permanent.

An :class:`AuthPolicy` has three limits, checked together on every login attempt:

- ``pair`` (account, client IP): the tight one. A source that keeps failing on one account backs off
  fast; it is reset by that source's own success.
- ``account``: loose and short. It stops distributed guessing against one account, and it never
  applies to a *known source* (a client IP bucket that logged in to the account recently), so an
  attacker elsewhere cannot lock the real user out of the places she normally logs in from.
- ``ip``: against password spraying (one source, many accounts).

On top, a hard ceiling caps the failures on one account from every source, known or not, at
``account_ceiling_per_hour`` (at most 100: ASVS 4.0.3 V2.2.1, NIST SP 800-63B 5.2.2).

:class:`AuthPolicy` validates the invariants that make the lockout-abuse arithmetic in
``docs/ratelimit.md`` hold, and refuses a policy that breaks one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from sentinel.errors import ConfigurationError

SECOND = 1.0
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

#: ASVS 4.0.3 V2.2.1 and NIST SP 800-63B 5.2.2: no more than 100 failed attempts per account per hour.
ASVS_MAX_FAILURES_PER_HOUR = 100
#: No single lockout may exceed this: a soft lockout is never permanent.
LONGEST_LOCKOUT = DAY
#: Known sources are remembered at most this long.
LONGEST_KNOWN_SOURCE_TTL = 400 * DAY
#: Exponents above this saturate (2**62 ms is longer than any cap).
_MAX_EXPONENT = 62


class CompiledLimit(NamedTuple):
    """A :class:`Limit` in integer milliseconds, the form stores and Lua scripts use."""

    free: int
    interval_ms: int
    first_ms: int
    max_ms: int


def lockout_ms(limit: CompiledLimit, level: int) -> int:
    """Lockout started by a failure that brought the level to ``level`` (0 below ``free``)."""
    if level < limit.free:
        return 0
    exponent: int = min(level - limit.free, _MAX_EXPONENT)
    return min(limit.first_ms * (1 << exponent), limit.max_ms)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


@dataclass(frozen=True, kw_only=True)
class Limit:
    """One failure budget with exponential backoff. All durations are in seconds."""

    #: Failures allowed in a burst before lockouts start.
    free: int
    #: One failure is forgiven per this many seconds: the long-run rate the budget allows.
    forgive_every: float
    #: Lockout after the failure that reaches ``free``; it doubles with each failure above.
    first_lockout: float
    #: Cap on one lockout. Must be at least ``forgive_every`` so the budget's bound holds.
    max_lockout: float

    def problems(self, name: str) -> list[str]:
        found: list[str] = []
        if self.free < 1:
            found.append(f"{name}.free must be at least 1")
        if not 0 < self.forgive_every <= LONGEST_LOCKOUT:
            found.append(f"{name}.forgive_every must be in (0, {LONGEST_LOCKOUT:.0f}] s")
        if not 0 < self.first_lockout <= self.max_lockout:
            found.append(f"{name}: need 0 < first_lockout <= max_lockout")
        if self.max_lockout > LONGEST_LOCKOUT:
            found.append(f"{name}.max_lockout must be at most {LONGEST_LOCKOUT:.0f} s: lockouts are soft")
        if self.max_lockout < self.forgive_every:
            found.append(f"{name}.max_lockout must be >= forgive_every, or failures are not bounded")
        return found

    def compiled(self) -> CompiledLimit:
        return CompiledLimit(
            self.free, _ms(self.forgive_every), _ms(self.first_lockout), _ms(self.max_lockout)
        )

    @property
    def max_level(self) -> int:
        """The highest level a source that respects every lockout can ever reach.

        The level only grows while a lockout is shorter than ``forgive_every``; the first lockout at
        least that long stops it (proof in ``docs/ratelimit.md``).
        """
        c = self.compiled()
        extra = 0
        while lockout_ms(c, c.free + extra) < c.interval_ms:
            extra += 1
        return c.free + extra

    def worst_case_failures(self, window: float = HOUR) -> int:
        """An upper bound on the failures one such source can make in any ``window`` seconds."""
        return self.max_level + math.ceil(_ms(window) / self.compiled().interval_ms) - 1


@dataclass(frozen=True, kw_only=True)
class Rate:
    """A plain request rate for the general per-IP middleware: ``limit`` per ``period`` seconds.

    At most ``limit`` requests pass at once; capacity refills at ``limit / period`` (GCRA).
    """

    limit: int
    period: float

    def problems(self) -> list[str]:
        found: list[str] = []
        if self.limit < 1:
            found.append("Rate.limit must be at least 1")
        if not 0 < self.period <= LONGEST_LOCKOUT:
            found.append(f"Rate.period must be in (0, {LONGEST_LOCKOUT:.0f}] s")
        return found

    def compiled(self) -> tuple[int, int]:
        """``(burst, interval_ms)``."""
        return self.limit, max(1, round(self.period * 1000 / self.limit))


class CompiledPolicy(NamedTuple):
    """An :class:`AuthPolicy` in the integer form stores use."""

    pair: CompiledLimit
    account: CompiledLimit
    ip: CompiledLimit
    #: Highest account level any charge may reach (the hard ceiling).
    ceiling_level: int
    known_ttl_ms: int


@dataclass(frozen=True, kw_only=True)
class AuthPolicy:
    """The three limits of the authentication limiter, plus the per-account hard ceiling."""

    pair: Limit
    account: Limit
    ip: Limit
    account_ceiling_per_hour: int = ASVS_MAX_FAILURES_PER_HOUR
    #: How long a client IP bucket stays a *known source* of an account after a successful login
    #: from it. ``0`` turns known sources off (then the account limit applies to everyone).
    known_source_ttl: float = 30 * DAY

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigurationError(problems)

    @property
    def ceiling_level(self) -> int:
        """The account level at which even known sources are refused.

        With every charge at or below level ``L``, any hour holds at most ``L + 3600/I - 1``
        failures (``I`` = account ``forgive_every``); this is the largest ``L`` within the ceiling.
        """
        hour_intervals = math.ceil(_ms(HOUR) / self.account.compiled().interval_ms)
        return self.account_ceiling_per_hour - hour_intervals + 1

    def problems(self) -> list[str]:
        found = self.pair.problems("pair") + self.account.problems("account") + self.ip.problems("ip")
        if found:
            return found
        if not 1 <= self.account_ceiling_per_hour <= ASVS_MAX_FAILURES_PER_HOUR:
            found.append(
                f"account_ceiling_per_hour must be in [1, {ASVS_MAX_FAILURES_PER_HOUR}] (ASVS V2.2.1)"
            )
        if not 0 <= self.known_source_ttl <= LONGEST_KNOWN_SOURCE_TTL:
            found.append(f"known_source_ttl must be in [0, {LONGEST_KNOWN_SOURCE_TTL:.0f}] s")
        if self.pair.max_level >= self.account.free:
            found.append(
                f"pair.max_level ({self.pair.max_level}) must be below account.free "
                f"({self.account.free}): one source alone must never start an account lockout"
            )
        if self.pair.forgive_every < self.account.forgive_every:
            found.append("pair.forgive_every must be >= account.forgive_every (the pair is the tight one)")
        headroom = self.ceiling_level - self.account.max_level
        if headroom < self.pair.max_level:
            found.append(
                f"the hard ceiling leaves known sources {headroom} failures above what unknown "
                f"sources can reach; it must leave at least pair.max_level ({self.pair.max_level}): "
                "lower account.free or account.first_lockout, or raise account.forgive_every"
            )
        return found

    def compiled(self) -> CompiledPolicy:
        return CompiledPolicy(
            self.pair.compiled(),
            self.account.compiled(),
            self.ip.compiled(),
            self.ceiling_level,
            round(self.known_source_ttl * 1000),
        )


#: (account, IP): 5 quick tries, then 1 s, 2 s, 4 s ... up to 15 min; one failure forgiven per 10 min.
PAIR_DEFAULT = Limit(free=5, forgive_every=10 * MINUTE, first_lockout=1 * SECOND, max_lockout=15 * MINUTE)
#: Account from unknown sources: 20 failures, then 1 s doubling to at most 1 min; 60/h sustained.
ACCOUNT_DEFAULT = Limit(free=20, forgive_every=1 * MINUTE, first_lockout=1 * SECOND, max_lockout=1 * MINUTE)
#: One client IP bucket over all accounts: 50 failures, then up to 5 min lockouts; 100/h sustained.
IP_DEFAULT = Limit(free=50, forgive_every=36 * SECOND, first_lockout=1 * SECOND, max_lockout=5 * MINUTE)

#: The default: see the arithmetic in ``docs/ratelimit.md``.
DEFAULT_AUTH_POLICY = AuthPolicy(pair=PAIR_DEFAULT, account=ACCOUNT_DEFAULT, ip=IP_DEFAULT)

#: For high-value accounts (administrators, payments): tighter everywhere, at more cost to users
#: who mistype behind a shared NAT.
STRICT_AUTH_POLICY = AuthPolicy(
    pair=Limit(free=3, forgive_every=15 * MINUTE, first_lockout=2 * SECOND, max_lockout=30 * MINUTE),
    account=Limit(free=15, forgive_every=2 * MINUTE, first_lockout=1 * SECOND, max_lockout=2 * MINUTE),
    ip=Limit(free=20, forgive_every=90 * SECOND, first_lockout=1 * SECOND, max_lockout=10 * MINUTE),
)

#: General per-IP rate for :class:`~sentinel.ratelimit.RateLimitMiddleware`: 60 requests a minute.
DEFAULT_ROUTE_RATE = Rate(limit=60, period=MINUTE)

__all__ = [
    "ACCOUNT_DEFAULT",
    "ASVS_MAX_FAILURES_PER_HOUR",
    "DEFAULT_AUTH_POLICY",
    "DEFAULT_ROUTE_RATE",
    "IP_DEFAULT",
    "PAIR_DEFAULT",
    "STRICT_AUTH_POLICY",
    "AuthPolicy",
    "CompiledLimit",
    "CompiledPolicy",
    "Limit",
    "Rate",
    "lockout_ms",
]
