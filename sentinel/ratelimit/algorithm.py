"""The limiter's arithmetic on one set of counters, in pure Python.

The in-process store runs these functions; the Redis store runs the same steps in Lua
(:mod:`sentinel.ratelimit.redis_store`), and one contract test class holds both to the same results.
All times are integer milliseconds.

A :class:`Counter` keeps a GCRA "theoretical arrival time" ``tat``: the moment every charged failure
will have been forgiven. Its *level* at ``now`` is ``ceil((tat - now) / interval)``, the number of
failures not yet forgiven. ``until`` is the end of the current soft lockout. A pair counter also keeps
``known_until``: while it lies in the future, the pair's IP bucket is a *known source* of the account.

Attempts are charged when they are *checked*, not when they fail: N parallel requests therefore
cannot all pass a check that each saw under the limit. A success refunds its own charge (and, for
the pair, resets the counter); a failure leaves the charge standing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sentinel.ratelimit.policy import CompiledLimit, CompiledPolicy, lockout_ms

#: Bits of :attr:`Verdict.blocked`: which limit refused.
BLOCKED_PAIR = 1
BLOCKED_ACCOUNT = 2
BLOCKED_IP = 4
BLOCKED_CEILING = 8


@dataclass(slots=True)
class Counter:
    """Mutable state of one key."""

    tat: int = 0
    until: int = 0
    known_until: int = 0

    def deadline(self) -> int:
        """When this counter holds nothing any more and may be forgotten."""
        return max(self.tat, self.until, self.known_until)


@dataclass(frozen=True, kw_only=True, slots=True)
class Charge:
    """What one allowed attempt changed, so its success can undo exactly that.

    ``*_new`` is the lockout end the charge set (0 if it set none); ``*_old`` what it replaced.
    ``spelling_*`` belong to the typed name's spelling counter.
    """

    pair_new: int = 0
    pair_old: int = 0
    account_new: int = 0
    account_old: int = 0
    ip_new: int = 0
    ip_old: int = 0
    spelling_new: int = 0
    spelling_old: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    """A store's answer to one attempt. ``now`` is the store's clock (Redis may use its own)."""

    allowed: bool
    now: int
    wait: int = 0
    blocked: int = 0
    known: bool = False
    charge: Charge = Charge()


def level(counter: Counter, now: int, interval: int) -> int:
    """Failures not yet forgiven at ``now``."""
    return -(-max(counter.tat - now, 0) // interval)


def charge(counter: Counter, limit: CompiledLimit, now: int) -> tuple[int, int]:
    """Add one failure to ``counter``; return ``(lockout end it set or 0, the lockout it replaced)``."""
    old = counter.until
    counter.tat = max(counter.tat, now) + limit.interval_ms
    reached = level(counter, now, limit.interval_ms)
    if reached >= limit.free:
        counter.until = max(old, now + lockout_ms(limit, reached))
    return (counter.until if counter.until != old else 0), old


def refund(counter: Counter, interval: int, now: int, new: int, old: int) -> None:
    """Take back one charge; lift the lockout it set unless a later charge replaced it."""
    counter.tat = max(counter.tat - interval, now)
    if new and counter.until == new:
        counter.until = old


def reset_pair(pair: Counter, known_ttl: int, now: int) -> None:
    """A success from this source: forget its failures and remember it as a known source."""
    pair.tat = 0
    pair.until = 0
    pair.known_until = now + known_ttl if known_ttl > 0 else 0


def ceiling_wait(account: Counter, limit: CompiledLimit, ceiling_level: int, now: int) -> int:
    """How long until one more charge keeps the account at or under ``ceiling_level`` (0: now)."""
    after = max(account.tat, now) + limit.interval_ms - now
    return max(after - ceiling_level * limit.interval_ms, 0)


def attempt(
    pair: Counter,
    account: Counter,
    ip: Counter,
    policy: CompiledPolicy,
    now: int,
    *,
    spelling: Counter | None = None,
    known: bool | None = None,
) -> Verdict:
    """Check every limit and, only if every one allows it, charge them all atomically.

    ``spelling`` is the typed name's counter: it has the account's limit (and its known-source
    exemption) but not the hard ceiling, which belongs to the account. ``known`` overrides
    ``pair.known_until``, for stores that keep known sources apart.
    """
    if known is None:
        known = pair.known_until > now
    wait = 0
    blocked = 0
    for bit, counter, applies in (
        (BLOCKED_PAIR, pair, True),
        (BLOCKED_ACCOUNT, account, not known),
        (BLOCKED_ACCOUNT, spelling, not known),
        (BLOCKED_IP, ip, True),
    ):
        if applies and counter is not None and counter.until > now:
            wait = max(wait, counter.until - now)
            blocked |= bit
    over = ceiling_wait(account, policy.account, policy.ceiling_level, now)
    if over:
        wait = max(wait, over)
        blocked |= BLOCKED_CEILING
    if blocked:
        return Verdict(allowed=False, now=now, wait=wait, blocked=blocked, known=known)
    pair_new, pair_old = charge(pair, policy.pair, now)
    account_new, account_old = charge(account, policy.account, now)
    ip_new, ip_old = charge(ip, policy.ip, now)
    spelling_new, spelling_old = charge(spelling, policy.account, now) if spelling is not None else (0, 0)
    done = Charge(
        pair_new=pair_new,
        pair_old=pair_old,
        account_new=account_new,
        account_old=account_old,
        ip_new=ip_new,
        ip_old=ip_old,
        spelling_new=spelling_new,
        spelling_old=spelling_old,
    )
    return Verdict(allowed=True, now=now, known=known, charge=done)


def throttle(counter: Counter, burst: int, interval: int, now: int) -> Verdict:
    """Plain GCRA for the general middleware: at most ``burst`` at once, one more per ``interval``."""
    after = max(counter.tat, now) + interval
    over = after - now - burst * interval
    if over > 0:
        return Verdict(allowed=False, now=now, wait=over, blocked=BLOCKED_IP)
    counter.tat = after
    return Verdict(allowed=True, now=now)


__all__ = [
    "BLOCKED_ACCOUNT",
    "BLOCKED_CEILING",
    "BLOCKED_IP",
    "BLOCKED_PAIR",
    "Charge",
    "Counter",
    "Verdict",
    "attempt",
    "ceiling_wait",
    "charge",
    "level",
    "refund",
    "reset_pair",
    "throttle",
]
