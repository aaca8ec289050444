"""The session and limiter store contracts, re-run on a real Redis Cluster (3 primaries, 3 replicas).

The stores see ``redis+cluster://`` and take their single-key paths; every inherited test must pass
unchanged, so the cluster behaves as the one-node store does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sentinel import RedisTimeouts
from sentinel.ratelimit import LimiterStore, RedisLimiterStore
from sentinel.sessions import RedisStore, SessionStore
from tests.ratelimit import test_store_contract as limiter_contract
from tests.sessions import test_store_contract as session_contract
from tests.support.redis_cluster import Cluster

pytestmark = pytest.mark.cluster

SLOW_MACHINE = RedisTimeouts(connect=1.0, socket=1.0, pool_wait=1.0, operation=3.0)


class TestClusterStore(session_contract.TestRedisStore):
    """The session store contract on the cluster (3 s deadline: see TestClusterLimiterStore)."""

    @pytest.fixture
    async def store(self, redis_url: str, redis_prefix: str) -> AsyncIterator[SessionStore]:
        store = RedisStore(redis_url, prefix=redis_prefix, timeouts=SLOW_MACHINE)
        yield store
        await store.aclose()


class TestClusterLimiterStore(limiter_contract.TestRedisLimiterStore):
    """The limiter store contract on the cluster.

    60 checks gathered at once on one event loop cost up to ~0.4 s on the shared 2-core machine (four
    sequential single-key scripts each), close to the default 0.5 s deadline: a timed-out check would
    fall back to the in-process store and the count would measure the fallback. This suite is about
    the arithmetic, so it gives the store a 3 s deadline; latency is the benchmark's business.
    """

    @pytest.fixture
    async def store(self, redis_url: str, redis_prefix: str) -> AsyncIterator[LimiterStore]:
        store = RedisLimiterStore(redis_url, prefix=redis_prefix, server_time=False, timeouts=SLOW_MACHINE)
        yield store
        keys = [k async for k in store.redis.scan_iter(match=f"{redis_prefix}*")]
        if keys:
            await store.redis.delete(*keys)
        await store.aclose()


async def test_the_keys_of_one_attempt_really_span_slots(cluster: Cluster, redis_prefix: str) -> None:
    """Without this the per-key path would be untested: the one-script path would CROSSSLOT here."""
    from sentinel.ratelimit import AuthLimiter

    store = RedisLimiterStore(cluster.url, prefix=redis_prefix)
    assert store.cluster
    limiter = AuthLimiter(store=store, key="k" * 48)
    try:
        decision = await limiter.check(account="alice", client_ip="203.0.113.9")
        assert decision.allowed and decision.backend == "redis"
        keys = [k async for k in store.redis.scan_iter(match=f"{redis_prefix}*")]
        slots = {await store.redis.cluster_keyslot(k) for k in keys}
        assert len(keys) == 4 and len(slots) > 1
        with pytest.raises(Exception, match=r"same key slot|CROSSSLOT"):
            await store._attempt(keys=keys, args=[-1, *([1] * 13)])
        await store.redis.delete(*keys)
    finally:
        await limiter.aclose()


async def test_session_store_on_the_cluster_is_in_cluster_mode(cluster: Cluster) -> None:
    store = RedisStore(cluster.url)
    try:
        assert store.cluster
        assert await store.ping() is None
    finally:
        await store.aclose()
