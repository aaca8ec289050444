"""Exactness under real concurrency: 4 processes x 25 concurrent attempts against the real Redis
are granted EXACTLY the budget, never one more (the check-then-act race that a read-then-write
limiter loses)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import redis

from sentinel.ratelimit import ACCOUNT_DEFAULT, IP_DEFAULT, PAIR_DEFAULT
from tests.support.servers import ROOT

pytestmark = pytest.mark.redis

PROCESSES = 4
CONCURRENT = 25


@pytest.mark.parametrize(
    ("mode", "budget"),
    [
        ("pair", PAIR_DEFAULT.free),
        ("account", ACCOUNT_DEFAULT.free),
        ("user", ACCOUNT_DEFAULT.free),  # 100 spellings of one resolved account: still its one budget
        ("ip", IP_DEFAULT.free),
    ],
)
def test_processes_racing_get_exactly_the_budget(
    redis_url: str, redis_prefix: str, mode: str, budget: int
) -> None:
    try:
        allowed = race(redis_url, redis_prefix, mode, margin=10.0)
    finally:
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        stale = list(client.scan_iter(match=f"{redis_prefix}*"))
        if stale:
            client.delete(*stale)
        client.close()
    assert budget < PROCESSES * CONCURRENT  # the race is real: far more attempts than budget
    assert allowed == budget


def race(url: str, prefix: str, mode: str, *, margin: float, env: dict[str, str] | None = None) -> int:
    """Start PROCESSES workers that all fire CONCURRENT checks at the same wall-clock moment
    (``margin`` seconds from now; each worker fails if it was not ready by then); the total allowed."""
    start_at = time.time() + margin
    command = [sys.executable, "-m", "tests.ratelimit._attempt_worker", url, prefix, mode]
    workers = [
        subprocess.Popen(
            [*command, str(n), str(CONCURRENT), str(start_at)],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    allowed = []
    try:
        for worker in workers:
            out, err = worker.communicate(timeout=60 + margin)
            assert worker.returncode == 0, err
            allowed.append(int(out.strip()))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    return sum(allowed)
