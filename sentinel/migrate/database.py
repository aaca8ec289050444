"""The database side: connect with timeouts, reflect the table, read by keyset, write by compare-and-swap.

Only SQLAlchemy Core is used, with reflected ``Table`` objects and bound parameters: names come from
validated identifiers and are quoted by SQLAlchemy, values are always bound. Three drivers are
supported, each with every wait bounded (connect, lock wait, statement, a dead peer):

* **SQLite** ``sqlite:///path/to/file.db``: the busy timeout (``timeout=``) bounds the lock wait.
* **PostgreSQL** ``postgresql+psycopg://...``: ``connect_timeout`` (the whole connection set-up),
  ``lock_timeout``, ``statement_timeout``, and TCP keepalives so a vanished server is noticed.
* **MariaDB/MySQL** ``mysql+pymysql://...``: ``connect_timeout`` (the TCP connect),
  ``innodb_lock_wait_timeout``, and socket read/write timeouts of connect + lock seconds. PyMySQL reads
  the server greeting under its *read* timeout, so that one bounds a server that accepts and then
  says nothing; it must also outlast a legitimate lock wait, hence connect + lock.

PostgreSQL and MariaDB run at READ COMMITTED: each batch reads the latest committed rows, and the
compare-and-swap ``UPDATE`` re-checks its ``WHERE`` against the row as it is when the lock is taken.
On MariaDB/MySQL the comparison is made on the bytes (``CAST(... AS BINARY)``): the default collations
ignore case and trailing spaces, and would let a wrap overwrite a password just changed from
``Secret`` to ``secret``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import URL, Engine, make_url

from sentinel.errors import ConfigurationError
from sentinel.migrate.config import MigrationConfig, Shard, Timeouts
from sentinel.migrate.errors import DatabaseFailure, SchemaProblem

KeyKind = Literal["int", "str", "uuid"]
Key = int | str | uuid.UUID
#: Drivers by URL scheme; a bare ``postgresql://`` or ``mysql://`` gets the supported driver.
_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mysql+pymysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "mariadb+pymysql": "mariadb+pymysql",
}
EXTRA_HINT = "install the 'migrate' extra: pip install 'sentinel-asgi[migrate]'"


def parse_url(text: str) -> URL:
    """A SQLAlchemy URL for a supported driver, else ``ConfigurationError`` naming the choices."""
    try:
        url = make_url(text)
    except (sa.exc.ArgumentError, ValueError):
        raise ConfigurationError(
            ["the database URL is not a SQLAlchemy URL, e.g. sqlite:///users.db"]
        ) from None
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigurationError(
            [
                f"unsupported database {url.drivername!r}: use sqlite://, postgresql+psycopg:// or mysql+pymysql://"
            ]
        )
    return url.set(drivername=driver)


def redact(url: URL | str) -> str:
    """The URL with its password masked: the only form ever printed."""
    parsed = url if isinstance(url, URL) else make_url(url)
    return parsed.render_as_string(hide_password=True)


def _connect_args(url: URL, timeouts: Timeouts) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(connect_args, engine options)`` that bound every wait for this driver."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        return {"timeout": timeouts.lock}, {}
    pool: dict[str, Any] = {"pool_size": 2, "max_overflow": 0, "pool_timeout": timeouts.connect}
    pool |= {"pool_pre_ping": True, "isolation_level": "READ COMMITTED"}
    if backend == "postgresql":
        lock_ms, statement_ms = int(timeouts.lock * 1000), int(timeouts.statement * 1000)
        args = {
            "connect_timeout": max(2, round(timeouts.connect)),
            "options": f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms}",
            "application_name": "sentinel-migrate-passwords",
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
        return args, pool
    io_timeout = max(1, round(timeouts.connect + timeouts.lock))
    return {
        "connect_timeout": max(1, round(timeouts.connect)),
        "read_timeout": io_timeout,
        "write_timeout": io_timeout,
        "init_command": f"SET SESSION innodb_lock_wait_timeout={max(1, round(timeouts.lock))}",
    }, pool


def sqlite_path(url: URL) -> str:
    """The file an SQLite URL opens: ``sqlite:///users.db``, or with ``?mode=ro&uri=true`` (a
    read-only open, enough for a dry run) ``sqlite:///file:users.db?mode=ro&uri=true``."""
    database = url.database or ""
    if url.query.get("uri") in ("true", "1") and database.startswith("file:"):
        return database.removeprefix("file:").split("?", 1)[0]
    return database


def connect(config: MigrationConfig) -> Engine:
    """An engine whose every wait is bounded, after checking one connection works."""
    url = parse_url(config.url)
    if url.get_backend_name() == "sqlite":
        database = sqlite_path(url)
        if database in ("", ":memory:") or not Path(database).is_file():
            raise DatabaseFailure(f"no SQLite database file at {database!r}: check the path in the URL")
    args, options = _connect_args(url, config.timeouts)
    try:
        engine = sa.create_engine(url, connect_args=args, hide_parameters=True, **options)
    except ModuleNotFoundError as exc:
        raise DatabaseFailure(
            f"the driver for {url.drivername} is missing ({exc.name}): {EXTRA_HINT}"
        ) from None
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise DatabaseFailure(
            f"cannot connect to {redact(url)}: {connect_reason(exc)}", retryable=True
        ) from None
    return engine


def connect_reason(exc: sa.exc.DBAPIError) -> str:
    """The first line of the driver's message: connection errors name hosts and users, not values."""
    text = str(exc.orig).strip().splitlines()
    return text[0][:300] if text else type(exc.orig).__name__


#: PostgreSQL SQLSTATEs: insufficient_privilege; read_only_sql_transaction (a hot standby, or
#: default_transaction_read_only).
_PG_DENIED = {"42501": "permission denied", "25006": "read-only"}
#: MariaDB/MySQL error numbers: database, table, column or routine access denied, a missing SUPER-like
#: privilege; the server or the transaction running read-only, a read-only table.
_MYSQL_DENIED = {
    1044: "permission denied",
    1142: "permission denied",
    1143: "permission denied",
    1227: "permission denied",
    1370: "permission denied",
    1036: "read-only",
    1290: "read-only",
    1792: "read-only",
}
#: SQLite primary result codes: SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH.
_SQLITE_DENIED = {3: "permission denied", 8: "read-only", 23: "permission denied"}
#: "No such table": PostgreSQL undefined_table, MariaDB/MySQL ER_NO_SUCH_TABLE, SQLite's message.
_PG_NO_TABLE = "42P01"
_MYSQL_NO_TABLE = 1146


def _code(orig: object) -> object:
    args = getattr(orig, "args", ())
    return getattr(orig, "sqlstate", None) or (args[0] if args else "")


def _errno(orig: object) -> int | None:
    """MariaDB/MySQL's error number (PyMySQL puts it first in ``args``); ``None`` for other drivers."""
    args = getattr(orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def denied_kind(exc: sa.exc.SQLAlchemyError) -> str | None:
    """``"permission denied"`` or ``"read-only"`` when ``exc`` is the database refusing this user or
    this connection, else ``None``."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return None
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return _SQLITE_DENIED.get(sqlite_code & 0xFF)
    errno = _errno(orig)
    if errno is not None:
        return _MYSQL_DENIED.get(errno)
    return _PG_DENIED.get(str(_code(orig)))


def is_missing_table(exc: sa.exc.SQLAlchemyError) -> bool:
    """Whether ``exc`` says the table does not exist (without any catalog lookup, which a read-only
    MariaDB user may not be allowed to make)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlite_errorcode", None) is not None:
        return "no such table" in str(orig)
    errno = _errno(orig)
    return errno == _MYSQL_NO_TABLE if errno is not None else _code(orig) == _PG_NO_TABLE


def failure(exc: sa.exc.SQLAlchemyError, doing: str, *, grant: str = "") -> DatabaseFailure:
    """A ``DatabaseFailure`` that names the driver error class and code, never its text: some drivers
    quote the offending value (a duplicate key, a too-long string), which here is a password hash.

    A refusal (no privilege, a read-only database) says so and names what to grant (``grant``):
    rerunning would fail the same way, so it never says "rerun to resume".
    """
    orig = getattr(exc, "orig", None)
    code = _code(orig)
    name = type(orig).__name__ if orig is not None else type(exc).__name__
    denied = denied_kind(exc)
    if denied is not None:
        fix = grant or "grant the migration's database user the rights it needs"
        if denied == "read-only":
            fix = (
                "the database or connection is read-only (a replica, a read-only file or transaction): "
                "a dry run needs only SELECT; --execute needs a writable primary"
            )
        return DatabaseFailure(f"{doing} failed: {denied} ({name} {code}): {fix}", denied=denied)
    retryable = isinstance(exc, sa.exc.OperationalError | sa.exc.InternalError) or bool(
        getattr(exc, "connection_invalidated", False)
    )
    hint = "; rerun to resume from the last checkpoint" if retryable else ""
    return DatabaseFailure(f"{doing} failed: {name} {code}".rstrip() + hint, retryable=retryable)


@dataclass(frozen=True, kw_only=True)
class TableInfo:
    """The reflected table and the columns the migration reads."""

    table: sa.Table
    pk: sa.Column[Any]
    hash: sa.Column[Any]
    salt: sa.Column[Any] | None
    username: sa.Column[Any] | None
    key_kind: KeyKind
    #: The hash column's declared length in characters (``None``: unbounded, e.g. TEXT).
    width: int | None
    type_label: str
    backend: str


@dataclass(frozen=True, kw_only=True, repr=False)
class Row:
    """One row as read. ``repr`` shows only the key: the other fields are hashes and salts."""

    pk: Key
    value: str | None
    salt: str | bytes | None
    username: str | None

    def __repr__(self) -> str:
        return f"Row(pk={self.pk!r})"


def reflect(engine: Engine, config: MigrationConfig) -> TableInfo:
    """Reflect the table and check its key and columns; ``SchemaProblem`` names what to fix."""
    try:
        table = sa.Table(config.table, sa.MetaData(), autoload_with=engine, schema=config.schema)
    except sa.exc.NoSuchTableError:
        raise SchemaProblem(
            f"table {config.qualified_table!r} does not exist (check --table and the URL)"
        ) from None
    except sa.exc.SQLAlchemyError as exc:
        grant = f"GRANT SELECT ON {config.qualified_table} TO the migration's user"
        raise failure(exc, "reading the table definition", grant=grant) from None
    pk = _column(table, config.pk, "--pk")
    key_kind = _key_kind(engine, table, pk)
    hash_col = _column(table, config.column, "--column")
    _check_text(hash_col, "--column")
    salt = _column(table, config.salt_column, "--salt-column") if config.salt_column else None
    if salt is not None and not isinstance(salt.type, sa.String | sa.LargeBinary):
        raise SchemaProblem(f"--salt-column {salt.name!r} must be a text or binary column")
    username = _column(table, config.username_column, "--username-column") if config.username_column else None
    if username is not None:
        _check_text(username, "--username-column")
    length = getattr(hash_col.type, "length", None)
    width = length if isinstance(length, int) and length > 0 else None
    type_label = f"VARCHAR({width})" if width else type(hash_col.type).__name__.upper()
    return TableInfo(
        table=table,
        pk=pk,
        hash=hash_col,
        salt=salt,
        username=username,
        key_kind=key_kind,
        width=width,
        type_label=type_label,
        backend=engine.dialect.name,
    )


def _column(table: sa.Table, name: str, option: str) -> sa.Column[Any]:
    if name in table.c:
        column: sa.Column[Any] = table.c[name]
        return column
    near = [c.name for c in table.c if c.name.lower() == name.lower()]
    hint = f" (did you mean {near[0]!r}? names are case-sensitive)" if near else ""
    raise SchemaProblem(f"{option}: table {table.name!r} has no column {name!r}{hint}")


def _check_text(column: sa.Column[Any], option: str) -> None:
    if isinstance(column.type, sa.CHAR | sa.NCHAR):
        raise SchemaProblem(
            f"{option} {column.name!r} is fixed-width CHAR, which pads values: ALTER it to VARCHAR(255) first"
        )
    if not isinstance(column.type, sa.String):
        raise SchemaProblem(f"{option} {column.name!r} must be a text column (VARCHAR or TEXT)")


def _key_kind(engine: Engine, table: sa.Table, pk: sa.Column[Any]) -> KeyKind:
    """The key must be unique and NOT NULL, so keyset pagination visits every row exactly once."""
    primary = [c.name for c in table.primary_key.columns]
    unique = primary == [pk.name]
    if not unique:
        inspector = sa.inspect(engine)
        indexes = inspector.get_indexes(table.name, schema=table.schema)
        constraints = inspector.get_unique_constraints(table.name, schema=table.schema)
        unique = any(i.get("unique") and i["column_names"] == [pk.name] for i in indexes) or any(
            c["column_names"] == [pk.name] for c in constraints
        )
        unique = unique and not pk.nullable
    if not unique:
        raise SchemaProblem(
            f"--pk {pk.name!r} must be the table's single-column primary key (or unique, NOT NULL)"
        )
    if isinstance(pk.type, sa.Integer):
        return "int"
    if isinstance(pk.type, sa.Uuid):
        return "uuid"
    if isinstance(pk.type, sa.String) and not isinstance(pk.type, sa.CHAR | sa.NCHAR):
        return "str"
    raise SchemaProblem(f"--pk {pk.name!r} must be an integer, text (VARCHAR/TEXT) or UUID column")


def shard_hash(key: Key) -> int:
    """The value sharded on: integer keys themselves, any other key a stable hash of its text."""
    if isinstance(key, int):
        return key
    return int.from_bytes(hashlib.sha256(str(key).encode("utf-8")).digest()[:8], "big")


def parse_key(text: str, kind: KeyKind) -> Key:
    """A key given on the command line (``--probe PK``) as the column's type."""
    try:
        return int(text) if kind == "int" else uuid.UUID(text) if kind == "uuid" else text
    except ValueError:
        raise ConfigurationError([f"--probe: {text!r} is not a valid {kind} key"]) from None


def _select(info: TableInfo) -> sa.Select[Any]:
    cols = [info.pk, info.hash, *(c for c in (info.salt, info.username) if c is not None)]
    return sa.select(*cols)


def _row(info: TableInfo, record: Sequence[Any]) -> Row:
    extra = list(record[2:])
    salt = extra.pop(0) if info.salt is not None else None
    username = extra.pop(0) if info.username is not None else None
    return Row(pk=record[0], value=record[1], salt=salt, username=username)


def read_batch(
    engine: Engine, info: TableInfo, *, after: Key | None, limit: int, shard: Shard
) -> tuple[list[Row], Key | None]:
    """Up to ``limit`` rows after key ``after``, in key order, and the last key *read*.

    Integer keys are sharded in SQL (``pk mod N``); other keys are read in full and kept when their
    hash falls in this shard, so the last key read can be past every row returned.
    """
    stmt = _select(info).order_by(info.pk).limit(limit)
    if after is not None:
        stmt = stmt.where(info.pk > after)
    in_sql = info.key_kind == "int" and shard.count > 1
    if in_sql:
        n = shard.count
        stmt = stmt.where(((info.pk % n) + n) % n == shard.index - 1)
    try:
        with engine.connect() as conn:
            records = conn.execute(stmt).all()
    except sa.exc.SQLAlchemyError as exc:
        grant = f"GRANT SELECT ON {info.table.fullname} TO the migration's user"
        raise failure(exc, "reading a batch", grant=grant) from None
    rows = [_row(info, r) for r in records]
    last = rows[-1].pk if rows else None
    if shard.count > 1 and not in_sql:
        rows = [r for r in rows if shard.owns(shard_hash(r.pk))]
    return rows, last


def read_keys(conn: sa.Connection, info: TableInfo, keys: Sequence[Key]) -> list[Row]:
    """The rows with these keys, as they are now (inside the caller's transaction)."""
    if not keys:
        return []
    records = conn.execute(_select(info).where(info.pk.in_(list(keys)))).all()
    return [_row(info, r) for r in records]


def fetch_row(engine: Engine, info: TableInfo, key: Key) -> Row | None:
    try:
        with engine.connect() as conn:
            record = conn.execute(_select(info).where(info.pk == key)).first()
    except sa.exc.SQLAlchemyError as exc:
        raise failure(exc, "reading the probe row") from None
    return None if record is None else _row(info, record)


def _same(column: sa.Column[Any], name: str, backend: str) -> sa.ColumnElement[bool]:
    """``column = :name``, byte for byte (MariaDB/MySQL collations ignore case and trailing spaces)."""
    param = sa.bindparam(name, type_=column.type)
    if backend in ("mysql", "mariadb"):
        return sa.cast(column, mysql.BINARY()) == sa.cast(param, mysql.BINARY())
    return column == param


@dataclass(frozen=True, kw_only=True, repr=False)
class Update:
    """One compare-and-swap: set ``new`` where the key, the old value (and the salt or username the
    wrap was computed from, when it used one) are still what was read."""

    pk: Key
    old: str
    new: str
    salt: str | bytes | None = None
    username: str | None = None


def cas_statement(info: TableInfo, *, with_salt: bool, with_username: bool) -> sa.Update:
    conditions = [info.pk == sa.bindparam("k", type_=info.pk.type), _same(info.hash, "old", info.backend)]
    if with_salt and info.salt is not None:
        conditions.append(_same(info.salt, "old_salt", info.backend))
    if with_username and info.username is not None:
        conditions.append(_same(info.username, "old_user", info.backend))
    return info.table.update().where(*conditions).values({info.hash.name: sa.bindparam("new")})


def compare_and_swap(conn: sa.Connection, info: TableInfo, updates: Sequence[Update]) -> int:
    """Apply ``updates`` (executemany, grouped by shape) and return how many rows were still as read.

    Call inside a transaction; the rest were changed concurrently and are left as they are.
    """
    groups: dict[tuple[bool, bool], list[dict[str, Any]]] = {}
    for u in updates:
        shape = (u.salt is not None, u.username is not None)
        params: dict[str, Any] = {"k": u.pk, "old": u.old, "new": u.new}
        if u.salt is not None:
            params["old_salt"] = u.salt
        if u.username is not None:
            params["old_user"] = u.username
        groups.setdefault(shape, []).append(params)
    swapped = 0
    for (with_salt, with_username), params_list in groups.items():
        stmt = cas_statement(info, with_salt=with_salt, with_username=with_username)
        if conn.dialect.supports_sane_multi_rowcount:
            swapped += conn.execute(stmt, params_list).rowcount
        else:  # pragma: no cover - every supported driver reports executemany row counts
            swapped += sum(conn.execute(stmt, p).rowcount for p in params_list)
    return swapped


__all__ = [
    "EXTRA_HINT",
    "Key",
    "KeyKind",
    "Row",
    "TableInfo",
    "Update",
    "cas_statement",
    "compare_and_swap",
    "connect",
    "connect_reason",
    "denied_kind",
    "failure",
    "fetch_row",
    "is_missing_table",
    "parse_key",
    "parse_url",
    "read_batch",
    "read_keys",
    "redact",
    "reflect",
    "shard_hash",
    "sqlite_path",
]
