"""What only the Redis store has to prove: scripts survive a flush, one round trip per call, a dead
or frozen Redis is answered fast by the fallback, server time, TTLs, and no personal data in keys.

Tests that flush, count, kill or pause Redis run on a redis-server of their own (never 6379).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.asyncio.connection import Connection, ConnectionPool

from sentinel.breaker import CircuitBreaker
from sentinel.ratelimit import PAIR_DEFAULT, AuthLimiter, RedisLimiterStore
from sentinel.redis_client import RedisTimeouts
from tests.ratelimit.conftest import KEY, Clock
from tests.support.redis_server import PrivateRedis

pytestmark = pytest.mark.redis

ALICE = "alice"
ATTACKER = "203.0.113.66"
#: A generous bound on one answer while Redis is dead or frozen: the operation timeout is 0.5 s,
#: and an open breaker answers at once. A hung worker would blow far past it.
FAST_ENOUGH = 2.0


@pytest.fixture
async def raw(own_redis: PrivateRedis) -> AsyncIterator[Any]:
    client = aioredis.Redis.from_url(own_redis.url, decode_responses=True, socket_timeout=2)
    yield client
    await client.aclose()


async def fail(limiter: AuthLimiter, *, account: str = ALICE, ip: str = ATTACKER) -> bool:
    decision = await limiter.check(account=account, client_ip=ip)
    if decision.allowed:
        await limiter.record_failure(decision)
    return decision.allowed


async def test_script_flush_is_survived(own_redis: PrivateRedis, raw: Any, clock: Clock) -> None:
    store = RedisLimiterStore(own_redis.url, server_time=False)
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    try:
        assert [await fail(limiter) for _ in range(3)] == [True] * 3
        await raw.script_flush()
        assert not (await raw.script_exists(store._attempt.sha))[0]
        allowed = [await fail(limiter) for _ in range(PAIR_DEFAULT.free - 1)]
        assert allowed == [True] * (PAIR_DEFAULT.free - 3) + [False] * 2  # counters kept, limit holds
        assert (await raw.script_exists(store._attempt.sha))[0]  # reloaded on NOSCRIPT
        assert not limiter._backends.degraded  # no fallback was needed
    finally:
        await limiter.aclose()


class CountingConnection(Connection):
    """A real redis-py connection that counts the requests it writes (round trips)."""

    sent = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sent += 1
        await super().send_packed_command(command, check_health)


async def test_one_round_trip_per_check_and_per_success(own_redis: PrivateRedis, raw: Any) -> None:
    pool = ConnectionPool.from_url(own_redis.url, connection_class=CountingConnection, decode_responses=True)
    client = aioredis.Redis(connection_pool=pool)
    limiter = AuthLimiter(store=RedisLimiterStore(client=client), key=KEY)
    try:
        # Warm-up, not counted: the connection handshake and each script's first NOSCRIPT + load.
        await limiter.record_success(await limiter.check(account="warm-up", client_ip="192.0.2.1"))
        await raw.config_resetstat()
        CountingConnection.sent = 0
        checks = successes = refused = 0
        for i in range(10):
            decision = await limiter.check(account=f"user{i}", client_ip="192.0.2.5")
            checks += 1
            if i % 3 == 0:
                await limiter.record_success(decision)
                successes += 1
            else:
                await limiter.record_failure(decision)
        for _ in range(PAIR_DEFAULT.free + 2):
            checks += 1
            refused += not await fail(limiter)
        assert refused == 2
        assert CountingConnection.sent == checks + successes  # one request each, no more
        stats = await raw.info("commandstats")
        assert stats["cmdstat_evalsha"]["calls"] == checks + successes  # ...and each is one EVALSHA
        assert "cmdstat_script|load" not in stats and "cmdstat_eval" not in stats
    finally:
        await limiter.aclose()
        await client.aclose(close_connection_pool=True)


def _quick_breaker() -> CircuitBreaker:
    return CircuitBreaker("test rate-limit store", failure_threshold=2, reset_timeout=0.5)


async def _timed_check(limiter: AuthLimiter, account: str, ip: str) -> tuple[bool, str, float]:
    start = time.monotonic()
    decision = await limiter.check(account=account, client_ip=ip)
    elapsed = time.monotonic() - start
    if decision.allowed:
        await limiter.record_failure(decision)
    return decision.allowed, decision.backend, elapsed


async def _wait_for_backend(limiter: AuthLimiter, backend: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        decision = await limiter.check(account="probe", client_ip="192.0.2.200")
        if decision.allowed:
            await limiter.record_success(decision)
        if decision.backend == backend:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"limiter did not return to {backend!r} within {timeout} s")


async def test_redis_killed_mid_run_falls_back_then_recovers(
    own_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisLimiterStore(own_redis.url, breaker=_quick_breaker())
    limiter = AuthLimiter(store=store, key=KEY)
    caplog.set_level(logging.INFO, logger="sentinel.security")
    try:
        before = [await _timed_check(limiter, "carol", f"192.0.2.{i}") for i in range(1, 4)]
        assert {backend for _, backend, _ in before} == {"redis"}

        own_redis.kill()  # kill -9, mid-run
        during = [await _timed_check(limiter, ALICE, ATTACKER) for _ in range(PAIR_DEFAULT.free + 3)]
        assert {backend for _, backend, _ in during} == {"memory (fallback)"}
        assert [ok for ok, _, _ in during] == [True] * PAIR_DEFAULT.free + [False] * 3  # never unlimited
        assert max(elapsed for _, _, elapsed in during) < FAST_ENOUGH
        assert (await limiter.health())["degraded"] is True

        own_redis.start()  # same port, empty, no scripts loaded
        await _wait_for_backend(limiter, "redis")
        assert (await limiter.health())["degraded"] is False
        assert await fail(limiter, account="dave")  # Redis serves (and reloaded its scripts)
    finally:
        await limiter.aclose()
    events = [r.getMessage() for r in caplog.records]
    assert events.count("ratelimit.store_unavailable in-process fallback") == 1  # once, not per request
    assert events.count("ratelimit.store_recovered shared store back") == 1


async def test_frozen_redis_is_answered_within_the_timeout(own_redis: PrivateRedis) -> None:
    timeouts = RedisTimeouts(connect=0.2, socket=0.2, pool_wait=0.2, operation=0.3)
    store = RedisLimiterStore(own_redis.url, timeouts=timeouts, breaker=_quick_breaker())
    limiter = AuthLimiter(store=store, key=KEY)
    try:
        assert await fail(limiter)
        own_redis.pause()  # SIGSTOP: connections stay open, nothing answers
        try:
            during = [await _timed_check(limiter, "erin", "192.0.2.9") for _ in range(4)]
        finally:
            own_redis.resume()
        assert {backend for _, backend, _ in during} == {"memory (fallback)"}
        assert max(elapsed for _, _, elapsed in during) < FAST_ENOUGH
        await _wait_for_backend(limiter, "redis")
    finally:
        await limiter.aclose()


async def test_server_time_keeps_skewed_app_servers_in_agreement(redis_url: str, redis_prefix: str) -> None:
    """Two app servers an hour apart share one Redis. With Redis TIME the lockout they see is the
    1 s it should be; with the callers' clocks the slow server would see one of 3601 s."""
    fast, slow = Clock(now=1_700_003_600.0), Clock(now=1_700_000_000.0)
    first = PAIR_DEFAULT.first_lockout
    for server_time, expected in ((True, first), (False, 3600 + first)):
        prefix = f"{redis_prefix}{server_time}:"

        def limiter(clock: Clock, server_time: bool = server_time, prefix: str = prefix) -> AuthLimiter:
            store = RedisLimiterStore(redis_url, prefix=prefix, server_time=server_time)
            return AuthLimiter(store=store, key=KEY, clock=clock)

        a, b = limiter(fast), limiter(slow)
        try:
            assert [await fail(a) for _ in range(PAIR_DEFAULT.free)] == [True] * PAIR_DEFAULT.free
            refused = await b.check(account=ALICE, client_ip=ATTACKER)
            assert not refused.allowed
            assert refused.retry_after == pytest.approx(expected, abs=0.2)
        finally:
            await a.aclose()
            await b.aclose()
            await _delete_prefix(redis_url, prefix)


async def _delete_prefix(redis_url: str, prefix: str) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_keys_expire_and_hold_no_personal_data(
    redis_url: str, redis_prefix: str, redis_client: Any, clock: Clock
) -> None:
    limiter = AuthLimiter(
        store=RedisLimiterStore(redis_url, prefix=redis_prefix, server_time=False), key=KEY, clock=clock
    )
    try:
        assert await fail(limiter, account="alice@example.com")
        keys = sorted([k async for k in redis_client.scan_iter(match=f"{redis_prefix}*")])
        assert len(keys) == 4  # pair, account, spelling, IP
        for key in keys:
            dump = key + repr(await redis_client.hgetall(key))
            assert "alice" not in dump.lower() and "example" not in dump and "203.0.113" not in dump
        ttls = sorted([await redis_client.pttl(k) for k in keys])
        # ip 36 s, account and spelling 60 s, pair 600 s: one forgiveness interval after one failure
        assert ttls == [pytest.approx(ms, abs=1000) for ms in (36_000, 60_000, 60_000, 600_000)]
        success = await limiter.check(account="alice@example.com", client_ip="192.0.2.1")
        await limiter.record_success(success)
        ttls = sorted([await redis_client.pttl(k) for k in await _keys(redis_client, redis_prefix)])
        assert len(ttls) == 5  # the success's own IP charge was refunded to nothing and deleted
        assert ttls[-1] == pytest.approx(30 * 24 * 3600 * 1000, abs=1000)  # known-source marker
    finally:
        await limiter.aclose()


async def _keys(client: Any, prefix: str) -> list[str]:
    return [k async for k in client.scan_iter(match=f"{prefix}*")]
