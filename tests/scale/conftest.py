"""Every test here runs against the 6-node Redis Cluster the session starts (``-m cluster``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ratelimit.conftest import Clock
from tests.support.redis_cluster import Cluster, redis_cluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """One 3-primary + 3-replica cluster for the whole session, killed at its end."""
    with redis_cluster() as running:
        yield running


@pytest.fixture
def redis_url(cluster: Cluster) -> str:
    """The inherited contract suites read ``redis_url``: here it names the cluster."""
    return cluster.url


@pytest.fixture
def clock() -> Clock:
    """The limiter contract's hand-moved clock (tests/ratelimit/conftest.py is not inherited here)."""
    return Clock()


@pytest.fixture
def fresh_cluster() -> Iterator[Cluster]:
    """A cluster of the test's own, for tests that kill a primary (the shared one must stay whole)."""
    with redis_cluster() as running:
        yield running
