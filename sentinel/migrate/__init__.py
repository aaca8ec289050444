"""``sentinel migrate-passwords``: wrap a user table's legacy password hashes in argon2id, in place,
in parallel, resumably, against a live database. See ``docs/migrate-passwords.md``.

Needs the ``migrate`` extra (SQLAlchemy, psycopg, PyMySQL, rich). Errors are described in
:mod:`sentinel.migrate.errors`.
"""

from sentinel.migrate.calibrate import Estimate, estimate, hash_latency
from sentinel.migrate.classify import Classifier, Verdict, argon2_length
from sentinel.migrate.config import (
    ALLOW_TEST_PROFILE_ENV,
    DEFAULT_STATE_TABLE,
    FLASK_BCRYPT_LONG,
    POSTGRES_MD5,
    ColumnFormat,
    MigrationConfig,
    Shard,
    Timeouts,
    column_format,
    resolve_profile,
)
from sentinel.migrate.errors import (
    CheckpointMismatch,
    DatabaseFailure,
    InvalidIdentifier,
    MemoryBudgetExceeded,
    MigrationError,
    ProbeFailed,
    SchemaProblem,
    UnsafeSettingRefused,
    WorkerCrashed,
)
from sentinel.migrate.report import Counters, RunResult, Survey
from sentinel.migrate.runner import Migration
from sentinel.migrate.state import Checkpoint

__all__ = [
    "ALLOW_TEST_PROFILE_ENV",
    "DEFAULT_STATE_TABLE",
    "FLASK_BCRYPT_LONG",
    "POSTGRES_MD5",
    "Checkpoint",
    "CheckpointMismatch",
    "Classifier",
    "ColumnFormat",
    "Counters",
    "DatabaseFailure",
    "Estimate",
    "InvalidIdentifier",
    "MemoryBudgetExceeded",
    "Migration",
    "MigrationConfig",
    "MigrationError",
    "ProbeFailed",
    "RunResult",
    "SchemaProblem",
    "Shard",
    "Survey",
    "Timeouts",
    "UnsafeSettingRefused",
    "Verdict",
    "WorkerCrashed",
    "argon2_length",
    "column_format",
    "estimate",
    "hash_latency",
    "resolve_profile",
]
