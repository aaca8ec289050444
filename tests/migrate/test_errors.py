"""Usage, connection and schema errors: one line naming the fix, exit code 2, bounded waits, no writes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.migrate.conftest import CliRunner, Db, run_cli
from tests.migrate.vectors import RECIPE, UserRow, bulk_rows
from tests.support.servers import free_port


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("sentinel migrate-passwords:")]
    assert lines, err
    assert "Traceback" not in err
    return lines[-1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a hung database)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


BASE = [
    "migrate-passwords",
    "--table",
    "users",
    "--pk",
    "id",
    "--column",
    "password",
    "--connect-timeout",
    "2",
]
BASE += ["--lock-timeout", "1"]


@pytest.mark.parametrize(
    "scheme",
    ["postgresql+psycopg://postgres@127.0.0.1:{port}/test", "mysql+pymysql://root@127.0.0.1:{port}/test"],
)
def test_a_hung_database_times_out(silent_server: int, scheme: str) -> None:
    result = run_cli([*BASE, scheme.format(port=silent_server)], timeout=60)
    assert result.returncode == 2
    assert "cannot connect" in one_line_error(result.stderr)


@pytest.mark.parametrize(
    "scheme",
    ["postgresql+psycopg://postgres@127.0.0.1:{port}/test", "mysql+pymysql://root@127.0.0.1:{port}/test"],
)
def test_a_closed_port_is_one_line(migrate: CliRunner, scheme: str) -> None:
    result = migrate([*BASE, scheme.format(port=free_port())])
    assert result.code == 2 and "cannot connect" in one_line_error(result.err)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("oracle://scott@127.0.0.1/db", "unsupported database"),
        ("nonsense", "not a SQLAlchemy URL"),
        ("sqlite:////nonexistent/dir/users.db", "no SQLite database file"),
    ],
)
def test_bad_urls(migrate: CliRunner, url: str, message: str) -> None:
    result = migrate([*BASE, url])
    assert result.code == 2 and message in one_line_error(result.err)


def test_no_url_at_all(migrate: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENTINEL_MIGRATE_DB_URL", raising=False)
    result = migrate(BASE)
    assert result.code == 2 and "SENTINEL_MIGRATE_DB_URL" in one_line_error(result.err)


def test_the_url_may_come_from_the_environment(
    db: Db, migrate: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.create(bulk_rows(2))
    monkeypatch.setenv("SENTINEL_MIGRATE_DB_URL", db.url)
    args = [a for a in db.args("--recipe", RECIPE) if a != db.url]
    assert migrate(args).code == 0


def test_a_password_in_argv_is_warned_about_and_never_echoed(pg: Db, migrate: CliRunner) -> None:
    pg.create(bulk_rows(2))
    url = pg.url.replace("postgres@", "postgres:hunter2-db-secret@")  # trust auth ignores it
    result = migrate([url if a == pg.url else a for a in pg.args("--recipe", RECIPE)])
    assert result.code == 0, result.err
    assert "process list" in result.err
    assert "hunter2-db-secret" not in result.out + result.err and "***" in result.out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--table", "users; DROP TABLE users", "plain identifier"),
        ("--column", "password = password OR 1=1", "plain identifier"),
        ("--pk", "id--", "plain identifier"),
        ("--table", "no_such_table", "does not exist"),
        ("--column", "PASSWORD", "did you mean 'password'"),
        ("--column", "missing", "has no column"),
        ("--pk", "username", "primary key"),
    ],
)
def test_schema_and_identifier_errors(
    db: Db, migrate: CliRunner, option: str, value: str, message: str
) -> None:
    db.create(bulk_rows(2))
    before = db.snapshot()
    args = db.args("--execute")
    args[args.index(option) + 1] = value
    result = migrate(args)
    assert result.code == 2 and message in one_line_error(result.err)
    assert db.snapshot() == before


def test_fixed_width_char_columns_are_refused(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(2), hash_type=sa.CHAR(255))
    result = migrate(db.args("--recipe", RECIPE))
    assert result.code == 2 and "VARCHAR(255)" in one_line_error(result.err)


def test_composite_keys_are_refused(db: Db, migrate: CliRunner) -> None:
    table = sa.Table(
        db.table,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("tenant", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("password", sa.String(255)),
    )
    table.create(db.engine)
    db.created.append(db.table)
    result = migrate(db.args())
    assert result.code == 2 and "single-column primary key" in one_line_error(result.err)


def test_the_memory_budget_is_checked_before_any_write(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(3))
    before = db.snapshot()
    result = migrate(
        db.args("--recipe", RECIPE, "--execute", "--workers", "4", "--max-memory", "100", profile="owasp")
    )
    line = one_line_error(result.err)
    assert result.code == 2 and "4 workers x (19 MiB argon2" in line and "--workers 1" in line
    assert db.snapshot() == before


def test_the_test_profile_needs_its_environment_variable(
    db: Db, migrate: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.create(bulk_rows(2))
    monkeypatch.delenv("SENTINEL_MIGRATE_ALLOW_INSECURE_TEST_PROFILE")
    result = migrate(db.args("--recipe", RECIPE, "--execute"))
    assert result.code == 2 and "SENTINEL_MIGRATE_ALLOW_INSECURE_TEST_PROFILE" in one_line_error(result.err)
    assert not db.has_table(db.state_table)


def test_an_unknown_profile_is_refused(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(2))
    assert migrate(db.args(profile="cheap")).code == 2


def test_a_row_locked_by_the_application_gives_up_in_bounded_time(db: Db, migrate: CliRunner) -> None:
    """The application holds a lock on a row (or, in SQLite, the database) longer than --lock-timeout:
    the run retries, then stops with a one-line error and a checkpoint to resume from."""
    db.create([UserRow(1, "alice", "pw", "5f4dcc3b5aa765d61d8327deb882cf99", "legacy:hex")])
    table = db.users()
    with db.engine.connect() as app:
        if db.kind == "sqlite":
            app.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            app.begin()
            app.execute(sa.select(table).where(table.c.id == 1).with_for_update()).all()
        result = migrate(db.args("--recipe", RECIPE, "--execute", "--lock-timeout", "1", "--workers", "1"))
        app.rollback()
    assert result.code == 2 and "rerun to resume" in one_line_error(result.err)
    assert db.values()[1] == "5f4dcc3b5aa765d61d8327deb882cf99"
