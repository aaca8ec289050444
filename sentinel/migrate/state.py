"""Checkpoints: the last key processed and the counters, so a rerun after a crash resumes.

Two stores, one per ``--state-file`` choice:

* :class:`TableStateStore` (the default) keeps one row per (table, column, shard) in a small table in the
  same database, ``sentinel_migration_state``, and writes it **in the same transaction** as the batch
  it describes: the checkpoint and the rows can never disagree.
* :class:`FileStateStore` writes a JSON file atomically (temporary file, fsync, rename) *after* the
  batch commits. A crash between the two leaves the checkpoint one batch behind; the rerun reads that
  batch again and finds its rows already wrapped, which are recognised and skipped.

Either way resuming is safe even without a checkpoint: the compare-and-swap never overwrites a row
that changed, and a wrapped row is never wrapped again. The checkpoint only saves time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sentinel.migrate.config import MigrationConfig
from sentinel.migrate.database import Key, failure, is_missing_table
from sentinel.migrate.errors import CheckpointMismatch

STATE_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class Checkpoint:
    """Progress of one (table, column, shard): resume after ``last_pk`` with these counters."""

    last_pk: Key | None
    counters: Mapping[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    done: bool = False
    updated_at: str = ""


def encode_key(key: Key | None) -> str:
    if key is None:
        return "null"
    kind = "int" if isinstance(key, int) else "uuid" if isinstance(key, uuid.UUID) else "str"
    return json.dumps({"kind": kind, "value": key if isinstance(key, int) else str(key)})


def decode_key(text: str) -> Key | None:
    data = json.loads(text)
    if data is None:
        return None
    value = data["value"]
    if data["kind"] == "int":
        return int(value)
    return uuid.UUID(value) if data["kind"] == "uuid" else str(value)


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StateStore(Protocol):
    """Where checkpoints live. ``save_in`` runs inside the batch's transaction, ``save_after`` after it
    commits; each store implements the one that fits it and ignores the other."""

    def describe(self) -> str: ...
    def load(self) -> Checkpoint | None: ...
    def prepare(self) -> None: ...
    def save_in(self, conn: sa.Connection, checkpoint: Checkpoint) -> None: ...
    def save_after(self, checkpoint: Checkpoint) -> None: ...


class TableStateStore:
    """One row per (table, column, shard) in ``config.state_table``, written with the batch."""

    def __init__(self, engine: Engine, config: MigrationConfig) -> None:
        self.engine = engine
        self.key = {
            "table_name": config.qualified_table,
            "column_name": config.column,
            "shard": config.shard.label,
        }
        self.table = sa.Table(
            config.state_table,
            sa.MetaData(),
            sa.Column("table_name", sa.String(191), primary_key=True),
            sa.Column("column_name", sa.String(64), primary_key=True),
            sa.Column("shard", sa.String(16), primary_key=True),
            sa.Column("last_pk", sa.Text, nullable=False),
            sa.Column("counters", sa.Text, nullable=False),
            sa.Column("fingerprint", sa.String(32), nullable=False),
            sa.Column("done", sa.Boolean, nullable=False),
            sa.Column("updated_at", sa.String(32), nullable=False),
        )

    def describe(self) -> str:
        row = "/".join(self.key.values())
        return f"table {self.table.name} (row {row})"

    def _where(self) -> list[sa.ColumnElement[bool]]:
        return [self.table.c[name] == value for name, value in self.key.items()]

    def grant(self) -> str:
        return (
            f"GRANT SELECT, INSERT, UPDATE ON {self.table.name} (and CREATE, the first time) to the "
            "migration's user, or keep the checkpoint in a file with --state-file PATH"
        )

    def load(self) -> Checkpoint | None:
        """The saved checkpoint, or ``None`` when there is none. The table is simply read: a missing
        table is recognised from the error, never by a catalog lookup (``has_table``), which a
        SELECT-only MariaDB user is refused."""
        try:
            with self.engine.connect() as conn:
                record = conn.execute(sa.select(self.table).where(*self._where())).mappings().first()
        except sa.exc.SQLAlchemyError as exc:
            if is_missing_table(exc):
                return None
            raise failure(exc, "reading the checkpoint", grant=self.grant()) from None
        if record is None:
            return None
        return Checkpoint(
            last_pk=decode_key(record["last_pk"]),
            counters=json.loads(record["counters"]),
            fingerprint=record["fingerprint"],
            done=bool(record["done"]),
            updated_at=record["updated_at"],
        )

    def prepare(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(self.table).limit(1)).all()
            return
        except sa.exc.SQLAlchemyError as exc:
            if not is_missing_table(exc):
                raise failure(exc, f"reading the state table {self.table.name}", grant=self.grant()) from None
        try:
            self.table.create(self.engine, checkfirst=True)
        except sa.exc.SQLAlchemyError as exc:
            raise failure(exc, f"creating the state table {self.table.name}", grant=self.grant()) from None

    def save_in(self, conn: sa.Connection, checkpoint: Checkpoint) -> None:
        values = {
            "last_pk": encode_key(checkpoint.last_pk),
            "counters": json.dumps(dict(checkpoint.counters), sort_keys=True),
            "fingerprint": checkpoint.fingerprint,
            "done": checkpoint.done,
            "updated_at": checkpoint.updated_at,
        }
        if conn.execute(self.table.update().where(*self._where()).values(values)).rowcount == 0:
            conn.execute(self.table.insert().values({**self.key, **values}))

    def save_after(self, checkpoint: Checkpoint) -> None:
        """Nothing to do: the checkpoint was committed with the batch."""


class FileStateStore:
    """A JSON file, replaced atomically after each batch commits (``--state-file``)."""

    def __init__(self, path: Path, config: MigrationConfig) -> None:
        self.path = path
        self.identity = {
            "table": config.qualified_table,
            "column": config.column,
            "shard": config.shard.label,
        }

    def describe(self) -> str:
        return f"file {self.path}"

    def load(self) -> Checkpoint | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise CheckpointMismatch(
                f"--state-file {self.path} is unreadable ({exc}): move it aside"
            ) from None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise CheckpointMismatch(f"--state-file {self.path} is not a Sentinel checkpoint: move it aside")
        if data.get("identity") != self.identity:
            raise CheckpointMismatch(
                f"--state-file {self.path} belongs to another table, column or shard: use one file per shard"
            )
        return Checkpoint(
            last_pk=decode_key(data["last_pk"]),
            counters=data["counters"],
            fingerprint=data["fingerprint"],
            done=bool(data["done"]),
            updated_at=data["updated_at"],
        )

    def prepare(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def save_in(self, conn: sa.Connection, checkpoint: Checkpoint) -> None:
        """Nothing to do: a file cannot join the database transaction; see :meth:`save_after`."""

    def save_after(self, checkpoint: Checkpoint) -> None:
        data = {
            "version": STATE_VERSION,
            "identity": self.identity,
            "last_pk": encode_key(checkpoint.last_pk),
            "counters": dict(checkpoint.counters),
            "fingerprint": checkpoint.fingerprint,
            "done": checkpoint.done,
            "updated_at": checkpoint.updated_at,
        }
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, sort_keys=True, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def make_store(engine: Engine, config: MigrationConfig) -> StateStore:
    if config.state_file is not None:
        return FileStateStore(config.state_file, config)
    return TableStateStore(engine, config)


__all__ = [
    "STATE_VERSION",
    "Checkpoint",
    "FileStateStore",
    "StateStore",
    "TableStateStore",
    "decode_key",
    "encode_key",
    "make_store",
    "now",
]
