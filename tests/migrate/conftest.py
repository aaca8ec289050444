"""Real databases (SQLite file, PostgreSQL, MariaDB), one uniquely named table per test, dropped after;
the CLI run in-process and in a subprocess."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sentinel import cli
from sentinel.migrate import ALLOW_TEST_PROFILE_ENV
from tests.migrate.vectors import UserRow
from tests.support.services import MARIADB_URL, POSTGRES_URL, unavailable

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", "postgresql", "mariadb"]
_SERVICE_URLS = {"postgresql": POSTGRES_URL, "mariadb": MARIADB_URL}


@dataclass
class Db:
    """One backend, with a fresh table name (and state table name) for this test."""

    kind: str
    url: str
    engine: sa.Engine
    table: str = field(default_factory=lambda: f"mig_{uuid.uuid4().hex[:10]}")
    state_table: str = field(default_factory=lambda: f"mig_state_{uuid.uuid4().hex[:10]}")
    created: list[str] = field(default_factory=list)

    def users(self) -> sa.Table:
        return sa.Table(self.table, sa.MetaData(), autoload_with=self.engine)

    def create(
        self,
        rows: Sequence[UserRow],
        *,
        hash_type: sa.types.TypeEngine[Any] | None = None,
        key: str = "int",
        salt_column: bool = False,
    ) -> sa.Table:
        key_type: sa.types.TypeEngine[Any] = sa.Integer() if key == "int" else sa.String(64)
        columns = [
            sa.Column("id", key_type, primary_key=True, autoincrement=False),
            sa.Column("username", sa.String(64)),
            sa.Column("password", hash_type if hash_type is not None else sa.String(255), nullable=True),
        ]
        if salt_column:
            columns.append(sa.Column("salt", sa.String(64), nullable=True))
        table = sa.Table(self.table, sa.MetaData(), *columns)
        table.create(self.engine)
        self.created.append(self.table)
        self.insert(rows, key=key, salt_column=salt_column)
        return table

    def insert(self, rows: Sequence[UserRow], *, key: str = "int", salt_column: bool = False) -> None:
        if not rows:
            return
        table = self.users()
        records = []
        for r in rows:
            record: dict[str, Any] = {
                "id": r.pk if key == "int" else f"k{r.pk:06d}",
                "username": r.username,
                "password": r.stored,
            }
            if salt_column:
                record["salt"] = r.salt
            records.append(record)
        with self.engine.begin() as conn:
            conn.execute(table.insert(), records)

    def values(self) -> dict[Any, str | None]:
        table = self.users()
        with self.engine.connect() as conn:
            return {r.id: r.password for r in conn.execute(sa.select(table.c.id, table.c.password))}

    def snapshot(self) -> list[tuple[Any, ...]]:
        table = self.users()
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.select(table).order_by(table.c.id))]

    def set_password(self, pk: Any, value: str | None) -> None:
        table = self.users()
        with self.engine.begin() as conn:
            conn.execute(table.update().where(table.c.id == pk).values(password=value))

    def restore(self, rows: Sequence[UserRow]) -> None:
        """Put every row's original value back."""
        table = self.users()
        stmt = table.update().where(table.c.id == sa.bindparam("k")).values(password=sa.bindparam("v"))
        with self.engine.begin() as conn:
            conn.execute(stmt, [{"k": r.pk, "v": r.stored} for r in rows])

    def has_table(self, name: str) -> bool:
        return sa.inspect(self.engine).has_table(name)

    def args(self, *extra: str, profile: str = "insecure-test-only") -> list[str]:
        return [
            "migrate-passwords",
            self.url,
            "--table",
            self.table,
            "--pk",
            "id",
            "--column",
            "password",
            "--state-table",
            self.state_table,
            "--profile",
            profile,
            *extra,
        ]

    def drop(self) -> None:
        metadata = sa.MetaData()
        for name in (*self.created, self.state_table):
            if self.has_table(name):
                sa.Table(name, metadata, autoload_with=self.engine).drop(self.engine)
        self.engine.dispose()


def _engine(url: str) -> sa.Engine:
    if url.startswith("postgresql"):
        return sa.create_engine(url, connect_args={"connect_timeout": 3})
    if url.startswith("mysql"):
        return sa.create_engine(url, connect_args={"connect_timeout": 3})
    return sa.create_engine(url, connect_args={"timeout": 10})


def open_db(kind: str, tmp_path: Path) -> Db:
    if kind == "sqlite":
        path = tmp_path / "users.db"
        path.touch()
        return Db(kind=kind, url=f"sqlite:///{path}", engine=_engine(f"sqlite:///{path}"))
    url = _SERVICE_URLS[kind]
    engine = _engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        unavailable(f"{kind} at {url} is unreachable ({type(exc.orig).__name__})")
    return Db(kind=kind, url=url, engine=engine)


@pytest.fixture(autouse=True)
def _no_pepper_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs read the pepper from the environment, as the application does; tests set it explicitly."""
    monkeypatch.delenv("SENTINEL_PASSWORD_PEPPER", raising=False)
    monkeypatch.delenv("SENTINEL_PASSWORD_PEPPER_FILE", raising=False)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Db]:
    handle = open_db("sqlite", tmp_path)
    try:
        yield handle
    finally:
        handle.drop()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    handle = open_db(request.param, tmp_path)
    try:
        yield handle
    finally:
        handle.drop()


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Db]:
    handle = open_db("postgresql", tmp_path)
    try:
        yield handle
    finally:
        handle.drop()


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


CliRunner = Callable[..., Run]


@pytest.fixture
def migrate(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``sentinel migrate-passwords`` in this process (the subcommand registered as the lead will)."""
    monkeypatch.setenv(ALLOW_TEST_PROFILE_ENV, "1")

    def run(args: Sequence[str], *, stdin: str | None = None) -> Run:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def cli_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "sentinel", *args]


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTINEL_PASSWORD_PEPPER")}
    return {**env, ALLOW_TEST_PROFILE_ENV: "1", **extra}


def run_cli(
    args: Sequence[str], *, stdin: str = "", timeout: float = 90, **env: str
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (as an operator runs it)."""
    return subprocess.run(
        cli_command(args),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=cli_env(**env),
        check=False,
    )
