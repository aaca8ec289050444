"""What one migration run is told: the table and columns, the hash format, the cost, the shard.

Everything is validated here, before a connection is opened, and every problem is reported at once
(``ConfigurationError``). Table and column names must be plain identifiers; they are later quoted by
SQLAlchemy, so no user input is ever formatted into SQL text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sentinel.errors import ConfigurationError
from sentinel.migrate.errors import InvalidIdentifier, UnsafeSettingRefused
from sentinel.passwords import INSECURE_TEST_ONLY, PROFILES, Argon2Profile, HexRecipe

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_SHARD = re.compile(r"([1-9][0-9]{0,3})/([1-9][0-9]{0,3})")
#: ``--recipe`` value for PostgreSQL's ``md5`` role passwords: "md5" + hex(md5(password + username)).
POSTGRES_MD5 = "postgres-md5"
#: ``--recipe`` value for Flask-Bcrypt with ``BCRYPT_HANDLE_LONG_PASSWORDS=True``: bcrypt over the hex
#: SHA-256 of the password, in hashes that look exactly like plain bcrypt.
FLASK_BCRYPT_LONG = "flask-bcrypt-long-passwords"
#: The environment variable that must be "1" before the insecure test profile is accepted.
ALLOW_TEST_PROFILE_ENV = "SENTINEL_MIGRATE_ALLOW_INSECURE_TEST_PROFILE"
#: ``--profile`` names offered to operators (the test profile is deliberately not listed).
PROFILE_CHOICES = ("default", "owasp", "rfc9106-low-memory")
MAX_SHARDS = 1024
DEFAULT_BATCH_SIZE = 200
DEFAULT_STATE_TABLE = "sentinel_migration_state"


def identifier(name: str, *, what: str) -> str:
    """``name`` if it is a plain SQL identifier, else ``InvalidIdentifier`` naming the option."""
    if not isinstance(name, str) or _IDENTIFIER.fullmatch(name) is None:
        raise InvalidIdentifier(
            f"{what} must be a plain identifier (letters, digits, underscore; at most 63 characters, "
            "not starting with a digit)"
        )
    return name


def table_name(text: str) -> tuple[str | None, str]:
    """``(schema, table)`` from ``table`` or ``schema.table``, each part a plain identifier."""
    schema, dot, table = text.rpartition(".") if isinstance(text, str) else ("", "", "")
    if dot:
        return identifier(schema, what="--table's schema"), identifier(table, what="--table")
    return None, identifier(table, what="--table")


@dataclass(frozen=True, kw_only=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as written on the command line: ``--shard 2/4``)."""

    index: int = 1
    count: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count <= MAX_SHARDS:
            raise ConfigurationError([f"--shard K/N needs 1 <= K <= N <= {MAX_SHARDS}"])

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHARD.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ConfigurationError([f"--shard must look like K/N, e.g. 2/4 (N at most {MAX_SHARDS})"])
        return cls(index=int(match[1]), count=int(match[2]))

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, key_hash: int) -> bool:
        """Whether a key whose shard hash is ``key_hash`` belongs to this shard."""
        return key_hash % self.count == self.index - 1


@dataclass(frozen=True, kw_only=True)
class ColumnFormat:
    """What the hash column may hold besides self-describing formats: a declared bare-hex recipe,
    PostgreSQL md5 role passwords, or plaintext. Nothing else is ever inferred."""

    hex_recipe: HexRecipe | None = None
    postgres_md5: bool = False
    plaintext: bool = False
    flask_bcrypt_long_passwords: bool = False

    @property
    def reads_salt_column(self) -> bool:
        return self.hex_recipe is not None and self.hex_recipe.salt_source == "column"

    def describe(self) -> str:
        parts = []
        if self.postgres_md5:
            parts.append("PostgreSQL md5 role passwords (md5 + hex(md5(password+username)))")
        elif self.hex_recipe is not None:
            parts.append(f"bare hex: {self.hex_recipe.canonical}, layout {self.hex_recipe.layout}")
        if self.flask_bcrypt_long_passwords:
            parts.append("$2b$ values are Flask-Bcrypt long-password mode (bcrypt over hex sha256)")
        if self.plaintext:
            parts.append("PLAINTEXT (declared)")
        return "; ".join(parts) or "self-describing formats only"


def column_format(
    *,
    recipe: str | None,
    layout: str | None,
    plaintext: bool,
    salt_column: str | None,
    username_column: str | None,
) -> ColumnFormat:
    """Check that ``--recipe``, ``--layout``, ``--salt-column`` and ``--username-column`` agree."""
    problems: list[str] = []
    if recipe == FLASK_BCRYPT_LONG:
        if salt_column is not None or layout is not None or username_column is not None:
            problems.append(
                f"--recipe {FLASK_BCRYPT_LONG} takes no --salt-column, --layout or --username-column"
            )
        if problems:
            raise ConfigurationError(problems)
        return ColumnFormat(plaintext=plaintext, flask_bcrypt_long_passwords=True)
    if recipe == POSTGRES_MD5:
        if username_column is None:
            problems.append("--recipe postgres-md5 needs --username-column (the md5 is salted with it)")
        if salt_column is not None or layout is not None:
            problems.append("--recipe postgres-md5 takes no --salt-column or --layout")
        if plaintext:
            problems.append("--recipe postgres-md5 cannot be combined with --plaintext-column")
        if problems:
            raise ConfigurationError(problems)
        hex_recipe = HexRecipe(formula="md5(password+salt)", layout="{digest}")
        return ColumnFormat(hex_recipe=hex_recipe, postgres_md5=True, plaintext=plaintext)
    if username_column is not None:
        problems.append("--username-column is only used by --recipe postgres-md5")
    if recipe is None:
        if layout is not None or salt_column is not None:
            problems.append("--layout and --salt-column describe a bare-hex --recipe; give one")
        if problems:
            raise ConfigurationError(problems)
        return ColumnFormat(plaintext=plaintext)
    hex_recipe = HexRecipe(formula=recipe, layout=layout or "{digest}")
    if hex_recipe.salt_source == "column" and salt_column is None:
        problems.append(f"--recipe {hex_recipe.canonical!r} uses a salt: give --salt-column or a --layout")
    if salt_column is not None and hex_recipe.salt_source != "column":
        problems.append("--salt-column needs a --recipe that uses 'salt' and the layout '{digest}'")
    if problems:
        raise ConfigurationError(problems)
    return ColumnFormat(hex_recipe=hex_recipe, plaintext=plaintext)


def resolve_profile(name: str, *, environ: dict[str, str] | None = None) -> tuple[Argon2Profile, bool]:
    """``(profile, allow_weak)`` for a ``--profile`` name. The insecure test profile is accepted only
    when ``SENTINEL_MIGRATE_ALLOW_INSECURE_TEST_PROFILE=1``: it would store hashes a laptop cracks."""
    if name == INSECURE_TEST_ONLY.name:
        if (environ or {}).get(ALLOW_TEST_PROFILE_ENV) != "1":
            raise UnsafeSettingRefused(
                f"--profile {name} is for test suites only; it is refused unless "
                f"{ALLOW_TEST_PROFILE_ENV}=1 (never set that against real data)"
            )
        return INSECURE_TEST_ONLY, True
    if name not in PROFILE_CHOICES:
        raise ConfigurationError([f"--profile must be one of {', '.join(PROFILE_CHOICES)}"])
    return PROFILES[name], False


@dataclass(frozen=True, kw_only=True)
class Timeouts:
    """Seconds. ``connect`` bounds opening a connection (every driver); ``lock`` bounds waiting for a
    row lock a live application holds; ``statement`` bounds any one statement."""

    connect: float = 10.0
    lock: float = 10.0
    statement: float = 300.0

    def __post_init__(self) -> None:
        if not (0 < self.connect <= 600 and 0 < self.lock <= 600 and 0 < self.statement <= 86400):
            raise ConfigurationError(["timeouts must be positive (connect and lock at most 600 s)"])


@dataclass(frozen=True, kw_only=True)
class MigrationConfig:
    """One migration: where, what, how hard, which share. ``url`` may carry a password: it is only
    ever shown redacted."""

    url: str
    table: str
    pk: str
    column: str
    schema: str | None = None
    salt_column: str | None = None
    username_column: str | None = None
    column_format: ColumnFormat = field(default_factory=ColumnFormat)
    profile: Argon2Profile = PROFILES["default"]
    allow_weak: bool = False
    workers: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    shard: Shard = field(default_factory=Shard)
    state_file: Path | None = None
    state_table: str = DEFAULT_STATE_TABLE
    timeouts: Timeouts = field(default_factory=Timeouts)
    #: Memory the workers may use, in bytes (``None``: what the system reports as available).
    max_memory: int | None = None
    restart: bool = False

    def __post_init__(self) -> None:
        if self.schema is not None:
            identifier(self.schema, what="--table's schema")
        identifier(self.table, what="--table")
        names: dict[str, str | None] = {
            "--pk": self.pk,
            "--column": self.column,
            "--state-table": self.state_table,
        }
        names |= {"--salt-column": self.salt_column, "--username-column": self.username_column}
        for option, name in names.items():
            if name is not None:
                identifier(name, what=option)
        problems = []
        used = [n for n in (self.pk, self.column, self.salt_column, self.username_column) if n is not None]
        if len(set(used)) != len(used):
            problems.append("--pk, --column, --salt-column and --username-column must name different columns")
        if not 1 <= self.workers <= 1024:
            problems.append("--workers must be 1..1024")
        if not 1 <= self.batch_size <= 10_000:
            problems.append("--batch-size must be 1..10000")
        if self.max_memory is not None and self.max_memory <= 0:
            problems.append("--max-memory must be positive")
        if problems:
            raise ConfigurationError(problems)

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table

    def fingerprint(self) -> str:
        """What a checkpoint must agree with to be resumed: the columns, recipe, profile and shard."""
        fmt = self.column_format
        settings = {
            "pk": self.pk,
            "salt": self.salt_column,
            "user": self.username_column,
            "recipe": fmt.hex_recipe.canonical if fmt.hex_recipe else None,
            "layout": fmt.hex_recipe.layout if fmt.hex_recipe else None,
            "pg": fmt.postgres_md5,
            **({"flask": True} if fmt.flask_bcrypt_long_passwords else {}),
            "plain": fmt.plaintext,
            "profile": self.profile.parameters().__repr__(),
            "shard": self.shard.label,
        }
        encoded = json.dumps(settings, sort_keys=True).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()[:16]


__all__ = [
    "ALLOW_TEST_PROFILE_ENV",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_STATE_TABLE",
    "MAX_SHARDS",
    "POSTGRES_MD5",
    "PROFILE_CHOICES",
    "ColumnFormat",
    "MigrationConfig",
    "Shard",
    "Timeouts",
    "column_format",
    "identifier",
    "resolve_profile",
]
