"""Shared pieces of the rate-limit tests: a hand-moved clock, a test key, a greedy attacker."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest

from sentinel.ratelimit import AuthLimiter
from tests.support.redis_server import PrivateRedis, private_redis

KEY = "ratelimit-test-key-" + "k" * 40
EPOCH = 1_700_000_000.0


@dataclass
class Clock:
    """A clock the tests move by hand (seconds since the epoch, like ``time.time``)."""

    now: float = EPOCH

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def own_redis() -> Iterator[PrivateRedis]:
    """A redis-server of our own on a free port, to kill, pause, flush or count commands on."""
    with private_redis() as server:
        yield server


async def hammer(
    limiter: AuthLimiter, clock: Clock, *, account: str, ips: list[str], duration: float
) -> list[float]:
    """A greedy attacker: fails as fast as the limiter lets him, from any of ``ips``.

    A refused IP hands over to the next one at once; when every IP has been refused, he waits the
    shortest Retry-After he was given, to the millisecond (the worst case for the victim). He stops
    with a failure once ``duration`` has passed, so whatever lockout he caused is still running.
    Returns the times of the attempts that were let through (each one a failure).
    """
    end = clock.now + duration
    failures: list[float] = []
    waits: list[float] = []
    turn = 0
    while True:
        decision = await limiter.check(account=account, client_ip=ips[turn % len(ips)])
        turn += 1
        if decision.allowed:
            failures.append(clock.now)
            waits.clear()
            await limiter.record_failure(decision)
            if clock.now >= end:
                return failures
            continue
        waits.append(decision.retry_after)
        if len(waits) >= len(ips) or decision.blocked_by & {"account", "account-ceiling"}:
            clock.advance(min(waits))
            waits.clear()


def most_in_window(times: Sequence[float], window: float) -> int:
    """The largest number of ``times`` inside any half-open window of ``window`` seconds."""
    best, start = 0, 0
    ordered = sorted(times)
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
