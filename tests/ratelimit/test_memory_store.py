"""The in-process store's bounds: amortised O(log n) expiry, a hard cap that fails safe."""

from __future__ import annotations

import logging

import pytest

from sentinel.ratelimit import ACCOUNT_DEFAULT, PAIR_DEFAULT, AuthLimiter, MemoryLimiterStore
from tests.ratelimit.conftest import KEY, Clock


async def test_drained_counters_are_forgotten(clock: Clock) -> None:
    store = MemoryLimiterStore()
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for i in range(200):
        decision = await limiter.check(account=f"user{i}", client_ip=f"192.0.2.{i % 250}")
        await limiter.record_failure(decision)
    assert len(store) == 200 + 200 + 200
    clock.advance(PAIR_DEFAULT.forgive_every)  # every counter holds one failure: all forgiven now
    await limiter.record_failure(await limiter.check(account="late", client_ip="198.51.100.1"))
    assert len(store) == 3
    assert len(store._heap) <= 2 * len(store) + 64


async def test_the_heap_stays_proportional_to_live_counters(clock: Clock) -> None:
    store = MemoryLimiterStore()
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for _ in range(5000):  # one pair rewritten over and over
        decision = await limiter.check(account="alice", client_ip="192.0.2.1")
        if decision.allowed:
            await limiter.record_success(decision)
    assert len(store._heap) <= 2 * len(store) + 64


async def test_at_the_cap_new_keys_are_still_limited(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    """Fill the store, then attack with ever-new accounts and IPs: still limited, never unlimited,
    and the counters already there keep working."""
    caplog.set_level(logging.INFO, logger="sentinel.security")
    store = MemoryLimiterStore(max_entries=30)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for i in range(10):
        await limiter.record_failure(await limiter.check(account=f"filler{i}", client_ip=f"192.0.2.{i}"))
    assert len(store) == 30
    flood = []
    for i in range(200):
        decision = await limiter.check(account=f"new{i}", client_ip=f"198.51.{i // 250}.{i % 250}")
        flood.append(decision.allowed)
        if decision.allowed:
            await limiter.record_failure(decision)
    assert flood == [True] * PAIR_DEFAULT.free + [False] * (200 - PAIR_DEFAULT.free)
    assert len(store) == 30
    # An existing pair still has its own budget.
    assert (await limiter.check(account="filler0", client_ip="192.0.2.0")).allowed
    assert (await store.health())["state"] == "full"
    errors = [r for r in caplog.records if r.getMessage().startswith("ratelimit.store_full")]
    assert [r.levelno for r in errors] == [logging.ERROR]  # once, not per request


async def test_one_success_does_not_reset_the_shared_overflow(clock: Clock) -> None:
    store = MemoryLimiterStore(max_entries=3)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    await limiter.record_failure(await limiter.check(account="filler", client_ip="192.0.2.1"))
    for i in range(PAIR_DEFAULT.free - 1):
        await limiter.record_failure(await limiter.check(account=f"a{i}", client_ip=f"198.51.100.{i}"))
    mallory = await limiter.check(account="mallory", client_ip="203.0.113.1")
    await limiter.record_success(mallory)  # refunded, not reset
    assert (await limiter.check(account="x", client_ip="203.0.113.2")).allowed
    refused = await limiter.check(account="y", client_ip="203.0.113.3")
    assert not refused.allowed and refused.blocked_by == {"pair"}


async def test_when_room_returns_new_keys_get_their_own_counters(clock: Clock) -> None:
    store = MemoryLimiterStore(max_entries=3)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    await limiter.record_failure(await limiter.check(account="filler", client_ip="192.0.2.1"))
    clock.advance(ACCOUNT_DEFAULT.forgive_every * 20)  # filler drained
    decision = await limiter.check(account="bob", client_ip="198.51.100.1")
    assert decision.allowed and decision.ticket is not None and decision.ticket.charge.overflow == 0
    assert (await store.health())["state"] == "ok"


def test_tiny_caps_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        MemoryLimiterStore(max_entries=2)
