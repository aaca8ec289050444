"""Execution: every user still logs in with their original password, and gets a direct argon2 hash at
the first login; reruns are no-ops; nothing secret is ever printed or logged."""

from __future__ import annotations

import json
import logging

import pytest

from sentinel.passwords import Pepper, UnknownPepperKey, identify
from tests.migrate.conftest import CliRunner, Db
from tests.migrate.vectors import RECIPE, UserRow, bulk_rows, cheap_hasher, mixed_rows

PEPPER = "m" * 24 + "pepper-key-for-migrations"
LEFT_ALONE = {"argon2-current", "argon2-outdated", "ambiguous", "unknown", "empty"}


def assert_everyone_logs_in(db: Db, rows: list[UserRow]) -> None:
    """Login as the application does it, with a hasher that declares no recipe: wrapped rows carry
    their formula."""
    hasher = cheap_hasher()
    values = db.values()
    for row in rows:
        stored = values[row.pk]
        if row.password is None:
            assert stored == row.stored  # unloginable rows are left exactly as they were
            continue
        assert stored is not None
        if row.category.startswith("legacy:") or row.category == "wrapped":
            info = identify(stored)
            assert (info.kind, "legacy:" + info.scheme) == (
                "wrapped",
                row.category.replace("wrapped", "legacy:bcrypt"),
            )
        ok, direct = hasher.verify_and_update(stored, row.password)
        assert ok, row.category
        assert hasher.verify(stored, row.password + "x") is False
        if row.category == "argon2-current":
            assert direct is None
            continue
        assert direct is not None and identify(direct).kind == "argon2", row.category
        assert hasher.verify_and_update(direct, row.password) == (True, None)


def test_migration_keeps_every_login_and_upgrades_at_first_login(db: Db, migrate: CliRunner) -> None:
    rows = mixed_rows()
    db.create(rows)

    result = migrate(
        db.args("--recipe", RECIPE, "--execute", "--json", "--workers", "2", "--batch-size", "4")
    )

    assert result.code == 1, result.err  # the ambiguous and unknown rows are left over
    data = json.loads(result.out)["result"]
    legacy = sum(r.category.startswith("legacy:") for r in rows)
    assert data["wrapped"] == legacy
    assert data["unrecognised"] == 2 and data["changed_concurrently"] == 0 and data["complete"]
    assert data["histogram"]["wrapped"] == 1 and data["histogram"]["empty"] == 2
    values = db.values()
    for row in rows:
        if row.category in LEFT_ALONE:
            assert values[row.pk] == row.stored
    assert_everyone_logs_in(db, rows)


def test_a_rerun_wraps_nothing_twice(db: Db, migrate: CliRunner) -> None:
    rows = bulk_rows(9)
    db.create(rows)
    first = migrate(db.args("--recipe", RECIPE, "--execute", "--json"))
    after_first = db.values()
    second = migrate(db.args("--recipe", RECIPE, "--execute", "--json"))

    assert first.code == second.code == 0, first.err + second.err
    assert json.loads(first.out)["result"]["wrapped"] == 9
    again = json.loads(second.out)["result"]
    assert again["wrapped"] == 0 and again["histogram"] == {"wrapped": 9}
    assert db.values() == after_first
    assert_everyone_logs_in(db, rows)


def test_text_output_has_a_summary_and_no_secret(
    db: Db, migrate: CliRunner, caplog: pytest.LogCaptureFixture
) -> None:
    rows = mixed_rows()
    db.create(rows)
    caplog.set_level(logging.DEBUG)

    dry = migrate(db.args("--recipe", RECIPE))
    run = migrate(db.args("--recipe", RECIPE, "--execute", "--batch-size", "3"))
    wrapped = [v for v in db.values().values() if v and v.startswith(("$sentinel-wrap$", "$sw2$"))]

    assert "summary (complete)" in run.out and "wrapped" in run.out
    assert "migrate-passwords:" in run.err  # plain progress lines when stderr is not a terminal
    output = dry.out + dry.err + run.out + run.err + caplog.text
    secrets = [r.stored for r in rows if r.stored] + [r.password for r in rows if r.password] + wrapped
    assert len(secrets) > 30
    for secret in secrets:
        assert secret not in output


def test_wraps_use_the_applications_pepper(
    sqlite_db: Db, migrate: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers read the pepper from the environment, exactly as the application does."""
    rows = bulk_rows(6)
    sqlite_db.create(rows)
    pepper = Pepper([PEPPER])
    monkeypatch.setenv("SENTINEL_PASSWORD_PEPPER", PEPPER)

    dry = migrate(sqlite_db.args("--recipe", RECIPE, "--json"))
    run = migrate(sqlite_db.args("--recipe", RECIPE, "--execute", "--workers", "2"))

    assert json.loads(dry.out)["pepper_kid"] == pepper.current_kid
    assert run.code == 0, run.err
    with_pepper, without = cheap_hasher(pepper=pepper), cheap_hasher()
    for row in rows:
        stored = sqlite_db.values()[row.pk]
        assert stored is not None and row.password is not None
        assert identify(stored).pepper_kid == pepper.current_kid
        assert with_pepper.verify(stored, row.password)
        with pytest.raises(UnknownPepperKey):
            without.verify(stored, row.password)
