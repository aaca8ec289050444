"""``--probe PK``: one known password, asked at a prompt (never in argv), must verify under the declared
recipe, and still verify once wrapped, before anything is written."""

from __future__ import annotations

import hashlib

import pytest

from tests.migrate.conftest import CliRunner, Db, run_cli
from tests.migrate.vectors import RECIPE, UserRow, bulk_rows, password_for


def salted_rows() -> list[UserRow]:
    """sha256(salt + password) with the salt in its own column, as many PHP apps stored it."""
    rows = []
    for pk in range(1, 6):
        salt = f"s{pk}x"
        digest = hashlib.sha256((salt + password_for(pk)).encode()).hexdigest()
        rows.append(UserRow(pk, f"user{pk}", password_for(pk), digest, "legacy:hex", salt=salt))
    return rows


def test_probe_accepts_the_right_recipe_then_executes(db: Db, migrate: CliRunner) -> None:
    db.create(salted_rows(), salt_column=True)
    args = db.args("--recipe", "sha256(salt+password)", "--salt-column", "salt", "--probe", "3", "--execute")

    result = migrate(args, stdin=password_for(3) + "\n")

    assert result.code == 0, result.err
    assert all(v and v.startswith("$sw2$hx$") for v in db.values().values())


def test_probe_catches_a_wrong_recipe_before_any_write(db: Db, migrate: CliRunner) -> None:
    """sha256(password+salt) parses every row just as well; only a known password tells them apart."""
    db.create(salted_rows(), salt_column=True)
    before = db.snapshot()
    args = db.args("--recipe", "sha256(password+salt)", "--salt-column", "salt", "--probe", "3", "--execute")

    result = migrate(args, stdin=password_for(3) + "\n")

    assert result.code == 2
    assert (
        result.err.count("\n") <= 2
        and "does not verify" in result.err
        and "nothing was written" in result.err
    )
    assert password_for(3) not in result.err + result.out
    assert db.snapshot() == before and not db.has_table(db.state_table)


@pytest.mark.parametrize(
    ("key", "password", "message"),
    [("2", "wrong password", "does not verify"), ("999", "x", "no row"), ("abc", "x", "not a valid int")],
)
def test_probe_failures_write_nothing(
    db: Db, migrate: CliRunner, key: str, password: str, message: str
) -> None:
    db.create(bulk_rows(4))
    before = db.snapshot()
    result = migrate(db.args("--recipe", RECIPE, "--probe", key, "--execute"), stdin=password + "\n")
    assert result.code == 2 and message in result.err
    assert db.snapshot() == before


def test_probe_refuses_an_unrecognised_row(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(3))
    result = migrate(db.args("--probe", "3"), stdin="x\n")  # no --recipe: bare md5 is ambiguous
    assert result.code == 2 and "ambiguous" in result.err


def test_the_password_never_goes_in_argv(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(3))
    with pytest.raises(SystemExit) as exit_:
        migrate(db.args("--recipe", RECIPE, "--probe", "1", "--password", "x"))
    assert exit_.value.code == 2
    assert migrate(db.args("--recipe", RECIPE, "--probe", "1"), stdin="").code == 2  # nothing on stdin


def test_probe_in_the_real_cli_reads_stdin(db: Db) -> None:
    db.create(bulk_rows(3))
    ok = run_cli(db.args("--recipe", RECIPE, "--probe", "2"), stdin=password_for(2) + "\n")
    assert ok.returncode == 0, ok.stderr
    assert "known password verifies" in ok.stdout and password_for(2) not in ok.stdout + ok.stderr
