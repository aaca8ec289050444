"""Dry runs with SELECT-only rights, on real read-only users and a read-only SQLite open; and what
``--execute`` says when it lacks the rights: "permission denied" or "read-only" and what to grant,
never "rerun to resume" (rerunning would fail the same way)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.migrate.conftest import CliRunner, Db, open_db
from tests.migrate.vectors import RECIPE, bulk_rows


@pytest.fixture
def mariadb(tmp_path: Path) -> Iterator[Db]:
    handle = open_db("mariadb", tmp_path)
    try:
        yield handle
    finally:
        handle.drop()


def _read_only_url(db: Db) -> Iterator[str]:
    """A new login that may only SELECT from ``db.table``, dropped afterwards."""
    user = f"sentinel_ro_{uuid.uuid4().hex[:10]}"
    url = sa.make_url(db.url)
    if db.kind == "postgresql":
        setup = [f'CREATE ROLE "{user}" LOGIN', f'GRANT SELECT ON "{db.table}" TO "{user}"']
        teardown = [f'REVOKE ALL ON "{db.table}" FROM "{user}"', f'DROP ROLE "{user}"']
        ro_url = url.set(username=user, password=None)
    else:
        secret = uuid.uuid4().hex
        host = "127.0.0.1"
        setup = [
            f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{secret}'",
            f"GRANT SELECT ON `{url.database}`.`{db.table}` TO '{user}'@'{host}'",
        ]
        teardown = [f"DROP USER '{user}'@'{host}'"]
        ro_url = url.set(username=user, password=secret)
    with db.engine.begin() as conn:
        for statement in setup:
            conn.execute(sa.text(statement))
    try:
        yield ro_url.render_as_string(hide_password=False)
    finally:
        with db.engine.begin() as conn:
            for statement in teardown:
                conn.execute(sa.text(statement))


@pytest.fixture
def pg_read_only(pg: Db) -> Iterator[tuple[Db, str]]:
    pg.create(bulk_rows(9))
    for url in _read_only_url(pg):
        yield pg, url


@pytest.fixture
def mariadb_read_only(mariadb: Db) -> Iterator[tuple[Db, str]]:
    mariadb.create(bulk_rows(9))
    for url in _read_only_url(mariadb):
        yield mariadb, url


def _dry_run_then_refused_execute(
    db: Db, url: str, migrate: CliRunner, monkeypatch: pytest.MonkeyPatch, denied: str
) -> None:
    monkeypatch.setenv("SENTINEL_MIGRATE_DB_URL", url)  # a password in argv would be warned about
    args = [a for a in db.args("--recipe", RECIPE) if a != db.url]
    before = db.snapshot()

    dry = migrate(args)
    assert dry.code == 0, dry.err
    assert "9" in dry.out and "all fit" in dry.out

    run = migrate([*args, "--execute", "--workers", "1"])
    assert run.code == 2
    assert denied in run.err and "GRANT" in run.err
    assert "rerun to resume" not in run.err
    assert db.snapshot() == before


def test_a_select_only_postgresql_role_can_dry_run(
    pg_read_only: tuple[Db, str], migrate: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, url = pg_read_only
    _dry_run_then_refused_execute(db, url, migrate, monkeypatch, "permission denied")


def test_a_select_only_mariadb_user_can_dry_run(
    mariadb_read_only: tuple[Db, str], migrate: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported failure: SQLAlchemy's has_table is denied to such a user, and the checkpoint
    lookup used it. Now the checkpoint is simply read, and a missing table recognised from the error."""
    db, url = mariadb_read_only
    _dry_run_then_refused_execute(db, url, migrate, monkeypatch, "permission denied")


def test_a_state_table_the_user_cannot_read_does_not_stop_a_dry_run(
    pg: Db, migrate: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint table left by an earlier run (owned by the migration's user) is not readable by
    an auditor's SELECT-only role: the dry run says so and carries on."""
    pg.create(bulk_rows(6))
    first = migrate(pg.args("--recipe", RECIPE, "--execute", "--workers", "1"))
    assert first.code == 0, first.err
    pg.insert(bulk_rows(3, start=100))
    for url in _read_only_url(pg):
        monkeypatch.setenv("SENTINEL_MIGRATE_DB_URL", url)
        dry = migrate([a for a in pg.args("--recipe", RECIPE) if a != pg.url])
        assert dry.code == 0, dry.err
        assert "not readable by this user (permission denied)" in dry.out


def test_a_read_only_sqlite_open_can_dry_run(sqlite_db: Db, migrate: CliRunner) -> None:
    sqlite_db.create(bulk_rows(9))
    path = sqlite_db.url.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    args = [read_only if a == sqlite_db.url else a for a in sqlite_db.args("--recipe", RECIPE)]
    before = sqlite_db.snapshot()

    dry = migrate(args)
    assert dry.code == 0, dry.err
    assert "all fit" in dry.out

    run = migrate([*args, "--execute", "--workers", "1"])
    assert run.code == 2
    assert "read-only" in run.err and "rerun to resume" not in run.err
    assert sqlite_db.snapshot() == before
