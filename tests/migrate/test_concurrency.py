"""A login or password change that races the migration is never overwritten.

The deterministic tests change rows in the window that matters (after the migration read and hashed
them, before its write transaction) through the runner's ``before_write`` seam. The last test runs the
real CLI while a writer thread changes passwords at random.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence

import pytest

from sentinel.errors import SentinelUnsafeWarning
from sentinel.migrate import Migration, MigrationConfig, column_format
from sentinel.migrate.database import Key
from sentinel.passwords import INSECURE_TEST_ONLY, HexRecipe, identify
from tests.migrate.conftest import Db, run_cli
from tests.migrate.vectors import RECIPE, UserRow, bulk_rows, cheap_hasher, md5_hex


def migration(db: Db, *, recipe: str | None = RECIPE, plaintext: bool = False, **hooks: object) -> Migration:
    fmt = column_format(
        recipe=recipe, layout=None, plaintext=plaintext, salt_column=None, username_column=None
    )
    config = MigrationConfig(
        url=db.url,
        table=db.table,
        pk="id",
        column="password",
        column_format=fmt,
        profile=INSECURE_TEST_ONLY,
        allow_weak=True,
        workers=2,
        batch_size=5,
        state_table=db.state_table,
    )
    with pytest.warns(SentinelUnsafeWarning):
        return Migration(config, **hooks)  # type: ignore[arg-type]


def test_rows_changed_between_hashing_and_writing_are_left_alone(db: Db) -> None:
    rows = bulk_rows(30)
    db.create(rows)
    writer_hasher = cheap_hasher()
    changed: dict[Key, tuple[str, str]] = {}

    def login_races_us(keys: Sequence[Key]) -> None:
        for key in keys[::2]:  # half of each batch changes under our feet
            new_password = f"new password {key}"
            # Half become direct argon2 (a login), half a new legacy md5 (an old app still writing md5).
            value = writer_hasher.hash(new_password) if int(key) % 4 else md5_hex(new_password)
            db.set_password(key, value)
            changed[key] = (value, new_password)

    with migration(db, before_write=login_races_us) as m:
        result = m.execute()

    assert changed and result.counters.changed_concurrently == len(changed)
    still_md5 = sum(1 for key in changed if int(key) % 4 == 0)
    assert 0 < result.counters.changed_legacy == still_md5 < len(changed)
    assert result.counters.wrapped == len(rows) - len(changed)
    assert result.exit_code() == 1  # the md5 ones are still legacy: a rerun wraps them
    values = db.values()
    login = cheap_hasher(hex_recipe=HexRecipe(formula=RECIPE))
    for row in rows:
        stored, password = values[row.pk], row.password
        assert stored is not None and password is not None
        if row.pk in changed:
            value, new_password = changed[row.pk]
            assert stored == value  # byte for byte what the application wrote
            assert login.verify(stored, new_password)
            assert not login.verify(stored, password)
        else:
            assert identify(stored).kind == "wrapped"
            assert login.verify(stored, password)


def test_password_resets_during_a_run_leave_nothing_legacy_and_exit_0(db: Db) -> None:
    """The reported bug: 500 concurrent resets to fresh argon2 made the run exit 1 ("rows were left
    legacy") although none were. A row reset to argon2 (or emptied) is settled, not left over."""
    rows = bulk_rows(20)
    db.create(rows)
    writer_hasher = cheap_hasher()
    reset: set[Key] = set()

    def resets_race_us(keys: Sequence[Key]) -> None:
        for key in keys[::2]:
            db.set_password(key, writer_hasher.hash(f"reset {key}") if int(key) % 3 else None)
            reset.add(key)

    with migration(db, before_write=resets_race_us) as m:
        result = m.execute()

    assert reset and result.counters.changed_concurrently == len(reset)
    assert result.counters.changed_legacy == 0
    assert result.counters.wrapped == len(rows) - len(reset)
    assert result.exit_code() == 0
    assert all(v is None or identify(v).kind in ("argon2", "wrapped") for v in db.values().values())


@pytest.mark.parametrize(("old", "new"), [("Hunter2-Secret", "hunter2-secret"), ("pass word", "pass word  ")])
def test_a_change_the_collation_calls_equal_is_not_overwritten(db: Db, old: str, new: str) -> None:
    """MariaDB's default collations ignore case and trailing spaces: a compare-and-swap with plain ``=``
    would overwrite a password just changed from ``Hunter2-Secret`` to ``hunter2-secret`` with the wrap
    of the old one, and lock the user out of their new password."""
    db.create([UserRow(1, "alice", old, old, "plaintext")])

    with migration(db, recipe=None, plaintext=True, before_write=lambda keys: db.set_password(1, new)) as m:
        result = m.execute()

    assert result.counters.changed_concurrently == 1 and result.counters.wrapped == 0
    assert db.values()[1] == new


def test_a_live_writer_is_never_overwritten(db: Db) -> None:
    """The real CLI in a subprocess; a thread changes random users' passwords as fast as it can."""
    rows = bulk_rows(300)
    db.create(rows)
    latest = {row.pk: row.password for row in rows}
    writer_hasher = cheap_hasher()
    stop = threading.Event()
    rng = random.Random(7)
    writes = 0

    def writer() -> None:
        nonlocal writes
        while not stop.is_set():
            pk = rng.randint(1, len(rows))
            password = f"changed {pk} {writes}"
            db.set_password(pk, md5_hex(password) if writes % 2 else writer_hasher.hash(password))
            latest[pk] = password
            writes += 1
            time.sleep(0.002)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        run = run_cli(db.args("--recipe", RECIPE, "--execute", "--batch-size", "4", "--workers", "2"))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert run.returncode in (0, 1), run.stderr
    assert writes > 20

    values = db.values()
    login = cheap_hasher(hex_recipe=HexRecipe(formula=RECIPE))
    for pk, password in latest.items():
        assert password is not None and login.verify(values[pk], password), pk  # type: ignore[arg-type]
