"""Checkpoints: resume where a crash stopped, refuse to resume with other settings, ``--restart``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from sentinel.errors import SentinelUnsafeWarning
from sentinel.migrate import Migration, MigrationConfig, column_format
from sentinel.migrate.database import Key
from sentinel.passwords import INSECURE_TEST_ONLY
from tests.migrate.conftest import CliRunner, Db
from tests.migrate.vectors import RECIPE, bulk_rows


class Crash(Exception):
    pass


def crash_after_first_batch(db: Db, state_file: Path | None) -> int:
    """Run in-process and 'crash' before the second batch's write; returns rows wrapped by then."""
    calls = 0

    def crash(keys: Sequence[Key]) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Crash

    config = MigrationConfig(
        url=db.url,
        table=db.table,
        pk="id",
        column="password",
        column_format=column_format(
            recipe=RECIPE, layout=None, plaintext=False, salt_column=None, username_column=None
        ),
        profile=INSECURE_TEST_ONLY,
        allow_weak=True,
        batch_size=5,
        workers=1,
        state_table=db.state_table,
        state_file=state_file,
    )
    with (
        pytest.warns(SentinelUnsafeWarning),
        Migration(config, before_write=crash) as m,
        pytest.raises(Crash),
    ):
        m.execute()
    return sum(1 for v in db.values().values() if v and v.startswith(("$sentinel-wrap$", "$sw2$")))


@pytest.mark.parametrize("store", ["table", "file"])
def test_a_rerun_resumes_after_the_last_checkpoint(
    db: Db, migrate: CliRunner, tmp_path: Path, store: str
) -> None:
    db.create(bulk_rows(23))
    state_file = tmp_path / "state.json" if store == "file" else None
    extra = ("--state-file", str(state_file)) if state_file else ()
    assert crash_after_first_batch(db, state_file) == 5

    dry = json.loads(migrate(db.args("--recipe", RECIPE, "--json", *extra)).out)
    assert dry["checkpoint"]["done"] is False and dry["checkpoint"]["last_pk"] == "5"
    run = migrate(db.args("--recipe", RECIPE, "--json", "--execute", *extra))

    result = json.loads(run.out)["result"]
    assert run.code == 0, run.err
    assert result["resumed"] is True and result["complete"] is True
    assert result["wrapped_this_process"] == 18 and result["wrapped"] == 23  # counters carried over
    assert result["histogram"] == {"legacy:hex": 7, "legacy:ldap-salted-sha1": 8, "legacy:mysql41": 8}
    if state_file is not None:
        saved = json.loads(state_file.read_text())
        assert saved["done"] is True and saved["counters"]["wrapped"] == 23
        assert "$" not in state_file.read_text()  # no hash ever lands in the checkpoint
        assert not db.has_table(db.state_table)


def test_a_checkpoint_made_with_other_settings_is_not_resumed(db: Db, migrate: CliRunner) -> None:
    db.create(bulk_rows(12))
    crash_after_first_batch(db, None)

    refused = migrate(db.args("--recipe", RECIPE, "--execute", profile="owasp"))
    assert refused.code == 2 and "--restart" in refused.err

    restarted = migrate(
        db.args("--recipe", RECIPE, "--execute", "--json", "--restart", "--workers", "1", profile="owasp")
    )
    result = json.loads(restarted.out)["result"]
    assert restarted.code == 0 and result["resumed"] is False
    assert result["histogram"]["wrapped"] == 5 and result["wrapped"] == 7  # wrapped rows recognised, skipped


@pytest.mark.parametrize(
    "content", ["not json", '{"version": 99}', '{"version": 1, "identity": {"table": "x"}}']
)
def test_a_foreign_state_file_is_refused(db: Db, migrate: CliRunner, tmp_path: Path, content: str) -> None:
    db.create(bulk_rows(3))
    state_file = tmp_path / "state.json"
    state_file.write_text(content)
    result = migrate(db.args("--recipe", RECIPE, "--execute", "--state-file", str(state_file)))
    assert result.code == 2 and "state-file" in result.err
    assert all(not v or not v.startswith("$sentinel") for v in db.values().values())
