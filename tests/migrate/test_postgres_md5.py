"""PostgreSQL ``md5`` role passwords ("md5" + hex(md5(password + username))), made by PostgreSQL itself:
roles created with ``password_encryption = md5``, their ``pg_authid.rolpassword`` copied into a user
table and migrated with ``--recipe postgres-md5 --username-column``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from sentinel.passwords import identify
from tests.migrate.conftest import CliRunner, Db
from tests.migrate.vectors import UserRow, cheap_hasher

PASSWORDS = ["correct horse battery staple", "pässwörd-€", "x"]


@pytest.fixture
def role_rows(pg: Db) -> Iterator[list[UserRow]]:
    names = [f"mig_role_{uuid.uuid4().hex[:8]}" for _ in PASSWORDS]
    rows = []
    try:
        with pg.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL password_encryption = 'md5'")
            for name, password in zip(names, PASSWORDS, strict=True):
                literal = conn.execute(sa.select(sa.func.quote_literal(password))).scalar_one()
                # DDL takes no bound parameters: the name is ours, the password quoted by PostgreSQL.
                conn.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN PASSWORD {literal}')
            stored: dict[str, str] = dict(
                conn.execute(
                    sa.text("SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY(:n)"),
                    {"n": names},
                ).all()
            )
        for pk, (name, password) in enumerate(zip(names, PASSWORDS, strict=True), start=1):
            assert stored[name].startswith("md5") and len(stored[name]) == 35
            rows.append(UserRow(pk, name, password, stored[name], "legacy:postgres-md5"))
        yield rows
    finally:
        with pg.engine.begin() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')


def test_postgres_role_passwords_migrate_and_log_in(
    pg: Db, migrate: CliRunner, role_rows: list[UserRow]
) -> None:
    pg.create(role_rows)
    args = pg.args("--recipe", "postgres-md5", "--username-column", "username")

    dry = migrate([*args, "--probe", "2"], stdin=PASSWORDS[1] + "\n")
    assert dry.code == 0, dry.err
    assert "legacy: postgres-md5" in dry.out

    run = migrate([*args, "--execute"])
    assert run.code == 0, run.err
    values = pg.values()
    hasher = cheap_hasher()  # no recipe, no username: the wrap carries both
    for row in role_rows:
        stored = values[row.pk]
        assert stored is not None and identify(stored).kind == "wrapped"
        assert row.username in stored  # the salt (the role name) is kept in clear, as any salt
        assert row.password is not None
        ok, direct = hasher.verify_and_update(stored, row.password)
        assert ok and direct is not None
        assert not hasher.verify(stored, row.password + "!")


def test_a_renamed_user_does_not_get_the_old_name_wrapped(pg: Db, role_rows: list[UserRow]) -> None:
    """The wrap depends on the username: a rename between hashing and writing must make it skip."""
    from sentinel.errors import SentinelUnsafeWarning
    from sentinel.migrate import Migration, MigrationConfig, column_format
    from sentinel.passwords import INSECURE_TEST_ONLY

    pg.create(role_rows)
    table = pg.users()

    def rename(keys: object) -> None:
        with pg.engine.begin() as conn:
            conn.execute(table.update().where(table.c.id == 1).values(username="renamed"))

    config = MigrationConfig(
        url=pg.url,
        table=pg.table,
        pk="id",
        column="password",
        username_column="username",
        column_format=column_format(
            recipe="postgres-md5", layout=None, plaintext=False, salt_column=None, username_column="username"
        ),
        profile=INSECURE_TEST_ONLY,
        allow_weak=True,
        workers=1,
        state_table=pg.state_table,
    )
    with pytest.warns(SentinelUnsafeWarning), Migration(config, before_write=rename) as m:
        result = m.execute()
    assert result.counters.changed_concurrently == 1 and result.counters.wrapped == 2
    assert pg.values()[1] == role_rows[0].stored
