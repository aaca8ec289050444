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
    # The worker uses generous deadlines and hour-long lockouts (tests/ratelimit/_attempt_worker.py),
    # so neither a slow node nor a late worker changes the count: only the scripts' atomicity does.
    allowed = race(cluster.url, redis_prefix, mode, margin=20.0)
    assert budget < PROCESSES * CONCURRENT
    assert allowed == budget
