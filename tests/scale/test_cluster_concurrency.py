"""Exactness across processes on the cluster: 4 processes x 25 concurrent attempts get EXACTLY the
budget, with the per-key scripts of the cluster path (the one-script path cannot run there)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from sentinel.ratelimit import ACCOUNT_DEFAULT, IP_DEFAULT, PAIR_DEFAULT
from tests.support.redis_cluster import Cluster
from tests.support.servers import ROOT

pytestmark = pytest.mark.cluster

PROCESSES = 4
CONCURRENT = 25


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
    start_at = time.time() + 20.0  # every worker has connected and learnt the slots by then (checked)
    command = [sys.executable, "-m", "tests.ratelimit._attempt_worker", cluster.url, redis_prefix, mode]
    workers = [
        subprocess.Popen(
            [*command, str(n), str(CONCURRENT), str(start_at)],
            cwd=ROOT,
            env={**os.environ, "SENTINEL_TEST_DEADLINE": "5", "SENTINEL_TEST_LONG_LOCKOUT": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    allowed = []
    try:
        for worker in workers:
            out, err = worker.communicate(timeout=60)
            assert worker.returncode == 0, err
            allowed.append(int(out.strip()))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    assert budget < PROCESSES * CONCURRENT
    assert sum(allowed) == budget
