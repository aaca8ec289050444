"""Options are validated before any connection: identifiers, shards, recipes, profiles."""

from __future__ import annotations

from typing import Any

import pytest

from sentinel.errors import ConfigurationError
from sentinel.migrate import (
    ALLOW_TEST_PROFILE_ENV,
    InvalidIdentifier,
    MigrationConfig,
    Shard,
    Timeouts,
    UnsafeSettingRefused,
    column_format,
    resolve_profile,
)
from sentinel.migrate.config import table_name
from sentinel.migrate.database import parse_url, redact, shard_hash
from sentinel.passwords import INSECURE_TEST_ONLY, OWASP

HOSTILE_NAMES = [
    "users; DROP TABLE users",
    "users--",
    'users"',
    "`users`",
    "[users]",
    "us ers",
    "1users",
    "",
    "x" * 64,
    "üsers",
    "users\x00",
    "users)",
    "password = password OR 1=1",
]


def config(**overrides: object) -> MigrationConfig:
    values: dict[str, object] = {"url": "sqlite:///x.db", "table": "users", "pk": "id", "column": "password"}
    return MigrationConfig(**{**values, **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("option", ["table", "pk", "column", "salt_column", "username_column", "state_table"])
def test_every_identifier_is_validated(option: str, name: str) -> None:
    with pytest.raises(InvalidIdentifier):
        config(**{option: name})


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_table_and_schema_names_are_validated(name: str) -> None:
    with pytest.raises(InvalidIdentifier):
        table_name(name)
    with pytest.raises(InvalidIdentifier):
        table_name(f"{name}.users" if name else ".users")


def test_plain_names_and_schema_qualified_tables_are_accepted() -> None:
    assert table_name("users") == (None, "users")
    assert table_name("app.Users_2") == ("app", "Users_2")
    assert config(table="order", column="select").qualified_table == "order"  # reserved words are quoted


def test_columns_must_differ_and_bounds_hold() -> None:
    with pytest.raises(ConfigurationError, match="different columns"):
        config(column="id")
    with pytest.raises(ConfigurationError, match="workers"):
        config(workers=0)
    with pytest.raises(ConfigurationError, match="batch-size"):
        config(batch_size=0)


@pytest.mark.parametrize(("text", "index", "count"), [("1/1", 1, 1), ("2/4", 2, 4), (" 3/3 ", 3, 3)])
def test_shard_parses(text: str, index: int, count: int) -> None:
    shard = Shard.parse(text)
    assert (shard.index, shard.count) == (index, count)


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "-1/2", "1/99999"])
def test_bad_shards_are_refused(text: str) -> None:
    with pytest.raises(ConfigurationError, match="shard"):
        Shard.parse(text)


def test_shards_partition_any_key() -> None:
    """Each key lands in exactly one of N shards, negative integers and text keys included."""
    keys = [*range(-50, 50), "alice", "bob", "k000001", "Ω"]
    shards = [Shard(index=i, count=3) for i in (1, 2, 3)]
    for key in keys:
        assert sum(s.owns(shard_hash(key)) for s in shards) == 1


def test_recipe_combinations() -> None:
    assert (
        column_format(
            recipe=None, layout=None, plaintext=False, salt_column=None, username_column=None
        ).hex_recipe
        is None
    )
    fmt = column_format(
        recipe="sha256(salt+password)", layout=None, plaintext=False, salt_column="salt", username_column=None
    )
    assert fmt.reads_salt_column and fmt.hex_recipe is not None
    pg = column_format(
        recipe="postgres-md5", layout=None, plaintext=False, salt_column=None, username_column="rolname"
    )
    assert pg.postgres_md5 and pg.hex_recipe is not None and pg.hex_recipe.canonical == "md5(password+salt)"
    bad: list[dict[str, Any]] = [
        {"recipe": "sha256(salt+password)"},  # a salt, but from where?
        {"recipe": "md5(password)", "salt_column": "salt"},  # a salt column the formula never reads
        {"recipe": "postgres-md5"},  # needs the username
        {"recipe": None, "layout": "{digest}:{salt}"},
        {"recipe": "md5(password)", "username_column": "name"},
        {"recipe": "md5(password) + eval(1)"},
        {"recipe": "postgres-md5", "username_column": "u", "plaintext": True},
    ]
    for case in bad:
        values: dict[str, Any] = {"recipe": None, "layout": None, "plaintext": False, "salt_column": None}
        values |= {"username_column": None, **case}
        with pytest.raises(ConfigurationError):
            column_format(**values)


def test_the_test_profile_needs_explicit_permission() -> None:
    with pytest.raises(UnsafeSettingRefused, match=ALLOW_TEST_PROFILE_ENV):
        resolve_profile("insecure-test-only", environ={})
    with pytest.raises(UnsafeSettingRefused):
        resolve_profile("insecure-test-only", environ={ALLOW_TEST_PROFILE_ENV: "yes"})
    assert resolve_profile("insecure-test-only", environ={ALLOW_TEST_PROFILE_ENV: "1"}) == (
        INSECURE_TEST_ONLY,
        True,
    )
    assert resolve_profile("owasp") == (OWASP, False)
    with pytest.raises(ConfigurationError):
        resolve_profile("fast")


def test_urls_are_limited_to_supported_drivers_and_redacted() -> None:
    assert parse_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert parse_url("mysql://u@h/db").drivername == "mysql+pymysql"
    for bad in ("oracle://h/db", "postgresql+psycopg2://h/db", "not a url"):
        with pytest.raises(ConfigurationError):
            parse_url(bad)
    assert "s3cret" not in redact("postgresql+psycopg://u:s3cret@h/db")


def test_timeouts_are_bounded() -> None:
    with pytest.raises(ConfigurationError):
        Timeouts(connect=0)
    with pytest.raises(ConfigurationError):
        Timeouts(lock=-1)


def test_fingerprint_changes_with_what_a_resume_depends_on() -> None:
    base = config().fingerprint()
    assert config(workers=4, batch_size=10).fingerprint() == base  # speed settings do not matter
    assert config(profile=OWASP).fingerprint() != base
    assert config(shard=Shard(index=1, count=2)).fingerprint() != base
    fmt = column_format(
        recipe="md5(password)", layout=None, plaintext=False, salt_column=None, username_column=None
    )
    assert config(column_format=fmt).fingerprint() != base
