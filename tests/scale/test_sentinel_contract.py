"""The session and limiter store contracts through Redis Sentinel (primary + replica + 3 sentinels):
the stores reach the master that ``redis+sentinel://`` names, through the same client factory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ratelimit import test_store_contract as limiter_contract
from tests.sessions import test_store_contract as session_contract
from tests.support.redis_cluster import SentinelGroup, redis_sentinel_group

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def sentinel_group() -> Iterator[SentinelGroup]:
    with redis_sentinel_group() as group:
        yield group


@pytest.fixture
def redis_url(sentinel_group: SentinelGroup) -> str:
    return sentinel_group.url


class TestSentinelStore(session_contract.TestRedisStore):
    """The session store contract behind Sentinel."""


class TestSentinelLimiterStore(limiter_contract.TestRedisLimiterStore):
    """The limiter store contract behind Sentinel (the one-script path: one master holds every key)."""
