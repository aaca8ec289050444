"""``--shard K/N``: N runs split one table; together they cover every row exactly once."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.migrate.conftest import CliRunner, Db
from tests.migrate.vectors import RECIPE, bulk_rows


@pytest.mark.parametrize("key", ["int", "str"])
def test_shards_cover_every_row_once(db: Db, migrate: CliRunner, key: str) -> None:
    rows = bulk_rows(31)
    db.create(rows, key=key)
    seen: set[object] = set()
    total = 0
    for index in (1, 2, 3):
        before = db.values()
        result = migrate(db.args("--recipe", RECIPE, "--execute", "--json", "--shard", f"{index}/3"))
        assert result.code == 0, result.err
        after = db.values()
        mine = {pk for pk in after if after[pk] != before[pk]}
        assert mine and not mine & seen  # disjoint
        assert json.loads(result.out)["result"]["wrapped"] == len(mine)
        seen |= mine
        total += len(mine)
        if key == "int":
            assert all(pk % 3 == index - 1 for pk in mine)
    assert total == len(rows) and seen == set(db.values())
    # Each shard keeps its own checkpoint row.
    table = sa.Table(db.state_table, sa.MetaData(), autoload_with=db.engine)
    with db.engine.connect() as conn:
        shards = sorted(r.shard for r in conn.execute(sa.select(table.c.shard)))
    assert shards == ["1/3", "2/3", "3/3"]
