"""The in-process store's bounds: amortised O(log n) expiry, a hard cap that never pools strangers."""

from __future__ import annotations

import logging

import pytest

from sentinel.ratelimit import (
    ACCOUNT_DEFAULT,
    DEFAULT_AUTH_POLICY,
    PAIR_DEFAULT,
    AuthLimiter,
    MemoryLimiterStore,
)
from tests.ratelimit.conftest import KEY, Clock


async def test_drained_counters_are_forgotten(clock: Clock) -> None:
    store = MemoryLimiterStore()
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for i in range(200):
        decision = await limiter.check(account=f"user{i}", client_ip=f"192.0.2.{i % 250}")
        await limiter.record_failure(decision)
    assert len(store) == 4 * 200  # pair, account, spelling and IP counters of each attempt
    clock.advance(PAIR_DEFAULT.forgive_every)  # every counter holds one failure: all forgiven now
    await limiter.record_failure(await limiter.check(account="late", client_ip="198.51.100.1"))
    assert len(store) == 4
    assert len(store._heap) <= 2 * len(store) + 64


async def test_the_heap_stays_proportional_to_live_counters(clock: Clock) -> None:
    store = MemoryLimiterStore()
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for _ in range(5000):  # one pair rewritten over and over
        decision = await limiter.check(account="alice", client_ip="192.0.2.1")
        if decision.allowed:
            await limiter.record_success(decision)
    assert len(store._heap) <= 2 * len(store) + 64


async def test_at_the_cap_new_keys_get_their_own_counters(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Fill the store, then log failures with ever-new accounts and IPs: each new pair has its own
    budget (no shared counter that six failures lock for everyone), and the cap holds."""
    caplog.set_level(logging.INFO, logger="sentinel.security")
    store = MemoryLimiterStore(max_entries=40)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for i in range(10):
        await limiter.record_failure(await limiter.check(account=f"filler{i}", client_ip=f"192.0.2.{i}"))
    assert len(store) == 40
    flood = []
    for i in range(200):
        decision = await limiter.check(account=f"new{i}", client_ip=f"198.51.{i // 250}.{i % 250}")
        flood.append(decision.allowed)
        if decision.allowed:
            await limiter.record_failure(decision)
    assert flood == [True] * 200
    assert len(store) == 40 and store.evictions == 200 * 4
    health = await store.health()
    assert health["state"] == "full" and health["evictions"] == 800
    errors = [r for r in caplog.records if r.getMessage().startswith("ratelimit.store_full")]
    assert [r.levelno for r in errors] == [logging.ERROR]  # once, not per request


async def test_a_running_lockout_outlives_a_flood_of_idle_counters(clock: Clock) -> None:
    """Evicting a locked counter would unlock it: the flood pushes out idle counters instead."""
    store = MemoryLimiterStore(max_entries=40)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for _ in range(PAIR_DEFAULT.free):
        await limiter.record_failure(await limiter.check(account="alice", client_ip="203.0.113.66"))
    assert not (await limiter.check(account="alice", client_ip="203.0.113.66")).allowed
    for i in range(500):  # the attacker floods with new names from new addresses to push it out
        decision = await limiter.check(account=f"flood{i}", client_ip=f"10.0.{i // 250}.{i % 250}")
        assert decision.allowed
        await limiter.record_failure(decision)
    assert store.evictions > 400
    refused = await limiter.check(account="alice", client_ip="203.0.113.66")
    assert not refused.allowed and refused.blocked_by == {"pair"}


async def test_the_least_recently_written_counters_go_first(clock: Clock) -> None:
    store = MemoryLimiterStore(max_entries=8)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    await limiter.record_failure(await limiter.check(account="old", client_ip="192.0.2.1"))
    clock.advance(1)
    for _ in range(PAIR_DEFAULT.free - 1):  # "busy" written after "old", one failure short of a lockout
        await limiter.record_failure(await limiter.check(account="busy", client_ip="192.0.2.2"))
    await limiter.record_failure(await limiter.check(account="new", client_ip="192.0.2.3"))
    assert store.evictions == 4  # the four counters of "old" made room
    busy = await limiter.check(account="busy", client_ip="192.0.2.2")
    assert busy.lockout_if_failed == PAIR_DEFAULT.first_lockout  # its count survived: this is the 5th


async def test_known_sources_are_capped_apart_oldest_first(clock: Clock) -> None:
    """Successful logins never take room from failure counters; the oldest known source goes first."""
    store = MemoryLimiterStore(max_entries=10, max_known_sources=3)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for i in range(5):
        await limiter.record_success(await limiter.check(account="alice", client_ip=f"192.0.2.{i}"))
        clock.advance(1)
    health = await store.health()
    assert health["known_sources"] == 3 and health["evictions"] == 0
    assert not (await limiter.check(account="alice", client_ip="192.0.2.0")).known_source
    assert (await limiter.check(account="alice", client_ip="192.0.2.4")).known_source


async def test_known_sources_expire(clock: Clock) -> None:
    store = MemoryLimiterStore()
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    await limiter.record_success(await limiter.check(account="alice", client_ip="192.0.2.1"))
    assert (await limiter.check(account="alice", client_ip="192.0.2.1")).known_source
    clock.advance(DEFAULT_AUTH_POLICY.known_source_ttl + 1)
    assert not (await limiter.check(account="alice", client_ip="192.0.2.1")).known_source
    assert (await store.health())["known_sources"] == 0


async def test_the_store_reports_recovery_once_it_drains(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sentinel.security")
    store = MemoryLimiterStore(max_entries=8)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    for i in range(3):
        await limiter.record_failure(await limiter.check(account=f"u{i}", client_ip=f"192.0.2.{i}"))
    assert (await store.health())["state"] == "full"
    clock.advance(ACCOUNT_DEFAULT.forgive_every * 20)  # every counter drained
    await limiter.record_failure(await limiter.check(account="bob", client_ip="198.51.100.1"))
    assert (await store.health())["state"] == "ok"
    outcomes = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ratelimit.store_full")]
    assert outcomes == ["ratelimit.store_full evicting idle counters", "ratelimit.store_full recovered"]


def test_tiny_caps_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        MemoryLimiterStore(max_entries=3)
    with pytest.raises(ValueError, match="max_known_sources"):
        MemoryLimiterStore(max_known_sources=0)


async def test_at_the_cap_each_new_client_still_gets_its_own_route_rate() -> None:
    """The general middleware's counters share the cap: a flood of clients must not make new ones
    share one rate (before issue #12, one overflow counter for every new client)."""
    store = MemoryLimiterStore(max_entries=10)
    now = 1_700_000_000_000
    for i in range(100):  # 100 clients, each using its whole burst
        assert [(await store.throttle(f"client{i}", 3, 1000, now)).allowed for _ in range(3)] == [True] * 3
    assert len(store) == 10
    for name in ("alice", "bob", "carol"):
        assert [(await store.throttle(name, 3, 1000, now)).allowed for _ in range(4)] == [True] * 3 + [False]
