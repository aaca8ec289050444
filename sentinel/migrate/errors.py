"""Errors raised by :mod:`sentinel.migrate`.

Each one is something the operator can fix, so each message is one line that names the fix. None ever
contains a stored hash, a salt or a password: driver messages about writes are reduced to their
class and code, because some drivers quote the offending value::

    SentinelError
    └── MigrationError              base of this package; never raised directly
        ├── InvalidIdentifier       a table or column name that is not a plain SQL identifier
        ├── SchemaProblem           the table, key or columns are missing or of an unusable type
        ├── DatabaseFailure         cannot connect, or a statement failed or timed out
        ├── CheckpointMismatch      the saved checkpoint was made with other settings
        ├── MemoryBudgetExceeded    workers x argon2 memory does not fit the memory budget
        ├── ProbeFailed             the probe password does not verify under the declared recipe
        ├── WorkerCrashed           a hashing process died (out of memory, killed)
        └── UnsafeSettingRefused    the insecure test profile without the explicit permission
"""

from __future__ import annotations

from sentinel.errors import SentinelError


class MigrationError(SentinelError):
    """Base of every error in :mod:`sentinel.migrate`; never raised directly."""


class InvalidIdentifier(MigrationError, ValueError):
    """A name given for a table or column is not ``[A-Za-z_][A-Za-z0-9_]*`` (at most 63 characters).

    Names are validated before any SQL is built, and then quoted by SQLAlchemy: user input never
    reaches a statement as text.
    """


class SchemaProblem(MigrationError):
    """The table, its key or a column does not exist, or has a type the migration cannot handle."""


class DatabaseFailure(MigrationError):
    """The database could not be reached, or a statement failed. ``retryable`` marks lock timeouts,
    deadlocks and lost connections: rerunning resumes from the last checkpoint. ``denied`` is
    ``"permission denied"`` or ``"read-only"`` when the user lacks a privilege or the database (a
    replica, a read-only file) refuses writes: rerunning would not help, granting would."""

    def __init__(self, message: str, *, retryable: bool = False, denied: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.denied = denied


class CheckpointMismatch(MigrationError):
    """A checkpoint exists for this table, column and shard, but was made with another recipe,
    profile or key: resuming could mix two configurations. ``--restart`` scans from the start."""


class MemoryBudgetExceeded(MigrationError):
    """``workers x (argon2 memory + process overhead)`` exceeds the memory available (or the budget
    given): running anyway could push the database host into swap or the OOM killer."""

    def __init__(self, message: str, *, needed: int, budget: int) -> None:
        super().__init__(message)
        self.needed = needed
        self.budget = budget


class ProbeFailed(MigrationError):
    """The known password for the probe row does not verify: the recipe, layout or salt column is
    wrong. Nothing has been written."""


class WorkerCrashed(MigrationError):
    """A hashing worker process died mid-batch (the OOM killer, a signal). Nothing of that batch was
    written; rerunning resumes from the last checkpoint."""


class UnsafeSettingRefused(MigrationError):
    """The insecure test profile was asked for without the environment variable that allows it."""


__all__ = [
    "CheckpointMismatch",
    "DatabaseFailure",
    "InvalidIdentifier",
    "MemoryBudgetExceeded",
    "MigrationError",
    "ProbeFailed",
    "SchemaProblem",
    "UnsafeSettingRefused",
    "WorkerCrashed",
]
