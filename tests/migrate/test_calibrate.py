"""The estimate's arithmetic: the lowest of the limits wins, and each measured cost lowers it."""

from __future__ import annotations

import pytest

from sentinel.migrate import Estimate


def test_the_bare_hash_limit_is_what_earlier_releases_promised() -> None:
    bare = Estimate(rows=1000, workers=2, cores=2, seconds_per_hash=0.1)
    assert bare.limit == pytest.approx(20.0)
    assert bare.seconds == pytest.approx(50.0)


def test_multi_lane_hashes_are_limited_by_cpu_time_not_latency() -> None:
    """A 4-lane hash takes 0.1 s of wall time but 0.3 s of CPU: two cores do 6.7 of them a second,
    not the 20 the latency suggests."""
    lanes = Estimate(rows=1000, workers=2, cores=2, seconds_per_hash=0.1, cpu_per_hash=0.3)
    assert lanes.limit == pytest.approx(2 / 0.3)


def test_database_time_and_a_measured_parallel_rate_lower_the_estimate() -> None:
    common = {"rows": 1000, "workers": 2, "cores": 2, "seconds_per_hash": 0.1, "cpu_per_hash": 0.1}
    base = Estimate(**common)  # type: ignore[arg-type]
    with_db = Estimate(**common, db_per_row=0.01)  # type: ignore[arg-type]
    shared = Estimate(**common, db_per_row=0.01, parallel_rate=8.0)  # type: ignore[arg-type]
    assert base.limit == pytest.approx(20.0)
    assert with_db.limit == pytest.approx(2 / 0.11)
    assert shared.limit == pytest.approx(1 / (1 / 8.0 + 0.01))  # other processes took part of the cores
    assert shared.limit < with_db.limit < base.limit
