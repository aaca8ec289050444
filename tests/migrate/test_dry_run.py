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
    }
    assert 100 < data["survey"]["column"]["longest_wrapped"] <= 255
    assert data["estimate"]["rows"] == data["survey"]["to_wrap"]


def test_a_clean_table_dry_runs_with_exit_0(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(6))
    result = migrate(db.args("--recipe", RECIPE))
    assert result.code == 0, result.err
    assert "all fit" in result.out


def test_dry_run_checks_the_column_width(db: Db, migrate: CliRunner) -> None:
    """At the default profile a wrapped md5 is ~130 characters: a VARCHAR(120) column cannot hold it."""
    db.create(bulk_rows(6), hash_type=sa.String(120))
    before = db.snapshot()

    dry = migrate(db.args("--recipe", RECIPE, "--json", profile="owasp"))
    data = json.loads(dry.out)
    assert dry.code == 1
    assert data["survey"]["column"]["width"] == 120
    assert data["survey"]["column"]["too_long"] == 6
    assert data["survey"]["column"]["longest_wrapped"] > 120

    run = migrate(db.args("--recipe", RECIPE, "--json", "--execute", "--workers", "1", profile="owasp"))
    assert run.code == 1, run.err
    assert json.loads(run.out)["result"]["too_long"] == 6
    assert db.snapshot() == before  # skipped, never truncated or failed half-way
