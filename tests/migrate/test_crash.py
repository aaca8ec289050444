"""Crash safety: SIGKILL the real CLI at random points, several times, then rerun to completion.

No row may be lost, none wrapped twice, and every user must still log in. The seed is printed in every
failure message (set SENTINEL_TEST_SEED to replay one).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

from sentinel.passwords import HexRecipe, identify
from tests.migrate.conftest import ROOT, Db, cli_command, cli_env, run_cli
from tests.migrate.vectors import RECIPE, bulk_rows, cheap_hasher

ROWS = 400
KILLS = 4


def wrapped_count(db: Db) -> int:
    return sum(1 for v in db.values().values() if v and v.startswith(("$sentinel-wrap$", "$sw2$")))


def live_group_members(pgid: int) -> list[int]:
    """Processes of group ``pgid`` that are still running (zombies waiting for init do not count)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def kill_at(proc: subprocess.Popen[bytes], db: Db, *, after_rows: int | None, after_seconds: float) -> None:
    """SIGKILL the migration once ``after_rows`` rows are wrapped (or ``after_seconds`` have passed)."""
    started = time.monotonic()
    while proc.poll() is None:
        if after_rows is not None and wrapped_count(db) >= after_rows:
            break
        if after_rows is None and time.monotonic() - started >= after_seconds:
            break
        time.sleep(0.02)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)  # only the main process, as the OOM killer would
    proc.wait(timeout=30)


def test_sigkill_at_random_points_then_rerun(db: Db) -> None:
    seed = int(os.environ.get("SENTINEL_TEST_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    rows = bulk_rows(ROWS)
    db.create(rows)
    args = db.args("--recipe", RECIPE, "--execute", "--batch-size", "4", "--workers", "2")
    # One kill at a random time (start-up, survey, warm-up or the first batches), then kills once a
    # random number of rows is wrapped (each run resumes from the previous one's checkpoint).
    plan: list[tuple[int | None, float]] = [(None, rng.uniform(0.05, 0.8))]
    plan += [(target, 0.0) for target in sorted(rng.sample(range(1, ROWS), KILLS - 1))]
    progress = []
    for after_rows, after_seconds in plan:
        if after_rows is not None and wrapped_count(db) >= after_rows:
            continue
        proc = subprocess.Popen(
            cli_command(args),
            cwd=ROOT,
            env=cli_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            kill_at(proc, db, after_rows=after_rows, after_seconds=after_seconds)
            deadline = time.monotonic() + 15
            while live_group_members(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            orphans = live_group_members(proc.pid)
        finally:
            for pid in live_group_members(proc.pid):
                os.kill(pid, signal.SIGKILL)  # our own orphaned workers, by id
        assert orphans == [], f"seed {seed}: workers outlived the killed migration"
        progress.append(wrapped_count(db))
        if progress[-1] == ROWS and after_rows is None:  # finished before the timed kill: start over
            db.restore(rows)

    assert any(0 < n < ROWS for n in progress), f"seed {seed}: no kill landed mid-run: {progress}"
    final = run_cli(args)
    assert final.returncode == 0, f"seed {seed}: {final.stderr}"

    values = db.values()
    assert sorted(values) == [r.pk for r in rows], f"seed {seed}: rows lost"
    hasher = cheap_hasher()
    for row in rows:
        stored = values[row.pk]
        assert stored is not None
        info = identify(stored)
        # Wrapped exactly once: the wrapped value holds the original legacy scheme, not another wrap.
        assert (info.kind, "legacy:" + info.scheme) == ("wrapped", row.category), f"seed {seed}: row {row.pk}"
        assert row.password is not None and hasher.verify(stored, row.password), f"seed {seed}: row {row.pk}"


def test_ctrl_c_says_so_exits_130_and_the_rerun_finishes(sqlite_db: Db) -> None:
    """Ctrl-C (SIGINT to the whole foreground process group, as a terminal sends it): a message, exit
    130, no worker left behind, every committed batch kept; the same command then finishes the job."""
    rows = bulk_rows(500)
    sqlite_db.create(rows)
    args = sqlite_db.args("--recipe", RECIPE, "--execute", "--batch-size", "1", "--workers", "1")
    proc = subprocess.Popen(
        cli_command(args),
        cwd=ROOT,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and wrapped_count(sqlite_db) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)

    assert proc.returncode == 130, err
    assert "interrupted (Ctrl-C)" in err.decode() and "rerun the same command to resume" in err.decode()
    assert "Traceback" not in err.decode()
    wrapped_then = wrapped_count(sqlite_db)
    assert 10 <= wrapped_then < len(rows)
    deadline = time.monotonic() + 15
    while live_group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_group_members(proc.pid) == []

    rerun = run_cli(args)
    assert rerun.returncode == 0, rerun.stderr
    assert wrapped_count(sqlite_db) == len(rows)
    values = sqlite_db.values()
    login = cheap_hasher(hex_recipe=HexRecipe(formula=RECIPE))
    for row in rows[::50]:
        assert row.password is not None and login.verify(values[row.pk] or "", row.password)
