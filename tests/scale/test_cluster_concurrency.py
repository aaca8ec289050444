"""Exactness across processes on the cluster: 4 processes x 25 concurrent attempts get EXACTLY the
budget, with the per-key scripts of the cluster path (the one-script path cannot run there)."""

from __future__ import annotations

import pytest

from sentinel.ratelimit import ACCOUNT_DEFAULT, IP_DEFAULT, PAIR_DEFAULT
from tests.ratelimit.test_concurrency import CONCURRENT, PROCESSES, race
from tests.support.redis_cluster import Cluster

pytestmark = pytest.mark.cluster


@pytest.mark.parametrize(
    ("mode", "budget"),
    [
        ("pair", PAIR_DEFAULT.free),
        ("account", ACCOUNT_DEFAULT.free),
        ("user", ACCOUNT_DEFAULT.free),
        ("ip", IP_DEFAULT.free),
    ],
)
def test_processes_racing_on_the_cluster_get_exactly_the_budget(
    cluster: Cluster, redis_prefix: str, mode: str, budget: int
) -> None:
    # A 5 s deadline (a timed-out check would fall back to the in-process store, and the count would
    # measure the fallback) and 60 s first lockouts (a worker scheduled more than 1 s late on the
    # starved machine would meet an expired lockout and rightly be let through once more).
    env = {"SENTINEL_TEST_DEADLINE": "5", "SENTINEL_TEST_LONG_LOCKOUT": "1"}
    allowed = race(cluster.url, redis_prefix, mode, margin=20.0, env=env)
    assert budget < PROCESSES * CONCURRENT
    assert allowed == budget
