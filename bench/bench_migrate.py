"""Password migration throughput: rows wrapped per second against the number of worker processes, on
SQLite and PostgreSQL, at the default and OWASP profiles, as a fraction of the physical limit.

The physical limit is ``min(workers, cores) / latency of one argon2 hash``, the hash timed in the same
run, just before each configuration. The peer is the floor every tool sits on: argon2-cffi hashing the
same number of rows in a bare pool of the same number of processes, with no database at all, measured
just before and after each run (their mean), so load from other processes hits both alike. Reading,
classifying and the compare-and-swap writes are what a migration adds on top of argon2; a ratio near 1
means they cost next to nothing. The rate is the runner's own: wrapped rows over the time from the
first batch to the last commit, with the worker processes already started (start-up costs a second,
once per run, whatever the table's size). Each run starts from a fresh table of bare md5 rows
(``--recipe 'md5(password)'``).

The dry run's estimate is measured too: the calibrated rate the dry run would print for the same table
(sampled wraps of its rows plus the database's round trips, see ``sentinel/migrate/calibrate.py``),
against the rate the run then achieved. A ratio below 1 means the dry run promised more than it got.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import argon2
import sqlalchemy as sa

from sentinel.migrate import Migration, MigrationConfig, column_format
from sentinel.migrate.calibrate import hash_times
from sentinel.migrate.pool import default_workers
from sentinel.passwords import DEFAULT_PROFILE, OWASP, Argon2Profile

POSTGRES_URL = os.environ.get(
    "SENTINEL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: Rows per run: small for the default profile (about 13 rows/s on 2 cores), more for OWASP.
ROWS = {DEFAULT_PROFILE.name: 40, OWASP.name: 300}
TARGET = 0.85


def _fill(url: str, table: str, rows: int) -> None:
    engine = sa.create_engine(url)
    users = sa.Table(
        table,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("password", sa.String(255)),
    )
    users.create(engine)
    with engine.begin() as conn:
        conn.execute(
            users.insert(),
            [
                {"id": i, "password": hashlib.md5(f"pw{i}".encode(), usedforsecurity=False).hexdigest()}
                for i in range(1, rows + 1)
            ],
        )
    engine.dispose()


def _drop(url: str, *tables: str) -> None:
    engine = sa.create_engine(url)
    for name in tables:
        if sa.inspect(engine).has_table(name):
            sa.Table(name, sa.MetaData(), autoload_with=engine).drop(engine)
    engine.dispose()


def _rate(url: str, profile: Argon2Profile, workers: int) -> tuple[float, float]:
    """``(rows/s achieved, rows/s the dry run's calibrated estimate promised)``."""
    table, state = f"bench_{uuid.uuid4().hex[:8]}", f"bench_state_{uuid.uuid4().hex[:8]}"
    _fill(url, table, ROWS[profile.name])
    try:
        config = MigrationConfig(
            url=url,
            table=table,
            pk="id",
            column="password",
            column_format=column_format(
                recipe="md5(password)", layout=None, plaintext=False, salt_column=None, username_column=None
            ),
            profile=profile,
            workers=workers,
            state_table=state,
        )
        with Migration(config) as migration:
            promised = migration.calibrate(migration.survey()).limit
            result = migration.execute()
        if result.counters.wrapped != ROWS[profile.name]:
            raise RuntimeError(f"bench run wrapped {result.counters.wrapped} rows, not {ROWS[profile.name]}")
        return result.rate, promised
    finally:
        _drop(url, table, state)


def _hash_many(profile: Argon2Profile, count: int) -> None:
    hasher = argon2.PasswordHasher.from_parameters(profile.parameters())
    for i in range(count):
        hasher.hash(f"legacy digest {i}".encode())


def _bare_pool_rate(profile: Argon2Profile, workers: int, rows: int) -> float:
    """Rows per second of argon2-cffi alone in ``workers`` processes (started before timing)."""
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_hash_many, [profile] * workers, [1] * workers))
        started = time.perf_counter()
        list(pool.map(_hash_many, [profile] * workers, [rows // workers] * workers))
        return (rows // workers) * workers / (time.perf_counter() - started)


def _backends(tmp: Path) -> list[tuple[str, str]]:
    sqlite_path = tmp / "bench.db"
    sqlite_path.touch()
    backends = [("SQLite", f"sqlite:///{sqlite_path}")]
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        backends.append(("PostgreSQL", POSTGRES_URL))
    except sa.exc.OperationalError:
        pass
    return backends


def run() -> str:
    cores = default_workers()
    lines = [
        "### Password migration (`sentinel migrate-passwords`)",
        "",
        f"Rows wrapped per second. Limit: min(workers, cores) / latency of one hash ({cores} cores here), "
        f"target ratio {TARGET}; in brackets the same limit from one hash's CPU time. Bare pool: argon2-cffi "
        "alone in as many processes, no database (the floor for any tool).",
        "",
        "| database | profile | rows | workers | hash ms (cpu) | limit (cpu) | bare pool | rows/s "
        "| vs limit (cpu) | vs bare pool | dry-run estimate | actual / estimate |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios, peers, accuracy = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in _backends(Path(tmp)):
            for profile in (DEFAULT_PROFILE, OWASP):
                rows = ROWS[profile.name]
                for workers in (1, 2):
                    wall, cpu = hash_times(profile, samples=5 if profile is DEFAULT_PROFILE else 15)
                    limit, cpu_limit = min(workers, cores) / wall, min(workers, cores) / cpu
                    before = _bare_pool_rate(profile, workers, rows)
                    rate, promised = _rate(url, profile, workers)
                    accuracy.append(rate / promised)
                    bare = (before + _bare_pool_rate(profile, workers, rows)) / 2
                    ratios.append(rate / limit)
                    peers.append(rate / bare)
                    lines.append(
                        f"| {name} | `{profile.name}` | {rows} | {workers} "
                        f"| {wall * 1000:.1f} ({cpu * 1000:.1f}) | {limit:.1f} ({cpu_limit:.1f}) "
                        f"| {bare:.1f} | {rate:.1f} "
                        f"| {rate / limit:.2f} ({rate / cpu_limit:.2f}) | {rate / bare:.2f} "
                        f"| {promised:.1f} | {rate / promised:.2f} |"
                    )
    lines += [
        "",
        f"Against the limit: lowest {min(ratios):.2f}, median {statistics.median(ratios):.2f}. "
        f"Against the bare pool: lowest {min(peers):.2f}, median {statistics.median(peers):.2f}. "
        f"Actual rate over the dry run's estimate: lowest {min(accuracy):.2f}, median "
        f"{statistics.median(accuracy):.2f}, highest {max(accuracy):.2f}. "
        "The default profile hashes with 4 lanes on 4 threads, so on a 2-core machine one hash alone "
        "already uses more than one core: its latency is below its CPU time, and its 2-worker wall-clock "
        "limit is out of reach for any tool (see the bare pool). Other processes on the machine count "
        "against the limit ratios, not the bare-pool ones.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
