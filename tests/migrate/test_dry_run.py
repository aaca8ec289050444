"""The default is a dry run: it reports and writes nothing, on every backend."""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa

from tests.migrate.conftest import CliRunner, Db
from tests.migrate.vectors import RECIPE, bulk_rows, mixed_rows


def test_dry_run_reports_a_histogram_and_writes_nothing(db: Db, migrate: CliRunner) -> None:
    rows = mixed_rows()
    db.create(rows)
    before = db.snapshot()

    text = migrate(db.args("--recipe", RECIPE))
    report = migrate(db.args("--recipe", RECIPE, "--json"))

    assert db.snapshot() == before
    assert not db.has_table(db.state_table)  # not even the checkpoint table
    assert text.code == report.code == 1  # an ambiguous and an unknown row
    assert "DRY RUN" in text.out and "back up" in text.out
    for label in (
        "legacy: bcrypt",
        "argon2, outdated parameters",
        "already wrapped",
        "ambiguous",
        "empty or NULL",
    ):
        assert label in text.out
    data = json.loads(report.out)
    assert data["mode"] == "dry-run" and data["result"] is None
    assert data["survey"]["histogram"] == dict(Counter(r.category for r in rows))
    assert data["survey"]["to_wrap"] == sum(r.category.startswith("legacy:") for r in rows)
    assert data["survey"]["column"] == {
        "type": "VARCHAR(255)",
        "width": 255,
        "longest_wrapped": data["survey"]["column"]["longest_wrapped"],
        "too_long": 0,
        "too_long_keys": [],
    }
    assert 60 < data["survey"]["column"]["longest_wrapped"] <= 128  # compact wraps fit VARCHAR(128)
    assert data["estimate"]["rows"] == data["survey"]["to_wrap"]
    estimate = data["estimate"]  # calibrated on the table's own rows and the real database
    assert estimate["sampled_rows"] > 0 and estimate["db_ms_per_row"] > 0
    assert 0 < estimate["rows_per_second_limit"] <= estimate["parallel_wraps_per_second"]


def test_a_clean_table_dry_runs_with_exit_0(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(6))
    result = migrate(db.args("--recipe", RECIPE))
    assert result.code == 0, result.err
    assert "all fit" in result.out


def test_dry_run_checks_the_column_width(db: Db, migrate: CliRunner) -> None:
    """A compact wrapped md5 is ~98 characters at the OWASP profile: a VARCHAR(80) column cannot hold it."""
    db.create(bulk_rows(6), hash_type=sa.String(80))
    before = db.snapshot()

    dry = migrate(db.args("--recipe", RECIPE, "--json", profile="owasp"))
    data = json.loads(dry.out)
    assert dry.code == 1
    assert data["survey"]["column"]["width"] == 80
    assert data["survey"]["column"]["too_long"] == 6
    assert data["survey"]["column"]["longest_wrapped"] > 80
    assert data["survey"]["column"]["too_long_keys"] == ["1", "2", "3", "4", "5", "6"]
    text = migrate(db.args("--recipe", RECIPE, profile="owasp")).out
    assert "6 row(s) would not fit" in text and "(keys 1, 2, 3, 4, 5, 6)" in text

    run = migrate(db.args("--recipe", RECIPE, "--json", "--execute", "--workers", "1", profile="owasp"))
    assert run.code == 1, run.err
    assert json.loads(run.out)["result"]["too_long"] == 6
    assert db.snapshot() == before  # skipped, never truncated or failed half-way


def test_progress_counts_only_rows_sent_to_be_wrapped(db: Db, migrate: CliRunner) -> None:
    """Rows too long for the column are in neither number: the progress used to read "2/0 rows"."""
    db.create(bulk_rows(9), hash_type=sa.String(70))  # the compact md5 wraps (73) do not fit, the rest do

    run = migrate(db.args("--recipe", RECIPE, "--execute", "--workers", "1", "--batch-size", "2"))

    assert run.code == 1, run.err
    progress = [line for line in run.err.splitlines() if line.startswith("migrate-passwords: ")]
    assert progress and progress[-1].startswith("migrate-passwords: 6/6 rows (100.0%), 6 wrapped"), progress
    assert "3 too long for the column" in run.out
