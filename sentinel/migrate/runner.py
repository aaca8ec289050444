"""One migration: survey the table (the dry run), probe one known password, then wrap every legacy row.

The execution pipeline, for each batch of rows read by keyset pagination on the key::

    read (short read transaction) -> classify -> wrap in the worker pool (no transaction open)
        -> one short write transaction: compare-and-swap UPDATE (executemany) + checkpoint

Two batches are in flight: while the pool hashes one, the next is already queued, so the workers never
wait for the database. Batches are committed in key order, so a checkpoint never claims a batch whose
predecessor is unwritten. The compare-and-swap (``WHERE pk = :pk AND hash = :old``, plus the salt or
username the wrap used) leaves any row a login or a password change touched meanwhile as it is, and
counts it as "changed concurrently". Such rows are then read again in the same transaction: one the
app set to argon2 (a password reset), emptied or deleted is settled; only one still holding a legacy
(or unrecognised) value counts as left legacy and makes the exit code 1.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import sqlalchemy as sa

from sentinel.errors import SentinelUnsafeWarning
from sentinel.events import security_event
from sentinel.migrate.calibrate import Estimate, estimate, parallel_rate, time_calls
from sentinel.migrate.classify import EMPTY, UNRECOGNISED, Classifier, Verdict, is_wrappable, label
from sentinel.migrate.config import MigrationConfig
from sentinel.migrate.database import (
    Key,
    Row,
    Update,
    compare_and_swap,
    connect,
    failure,
    fetch_row,
    parse_key,
    read_batch,
    read_keys,
    reflect,
)
from sentinel.migrate.errors import CheckpointMismatch, DatabaseFailure, ProbeFailed, WorkerCrashed
from sentinel.migrate.pool import WorkerPool, check_memory, chunks, default_workers
from sentinel.migrate.progress import NullProgress, Progress
from sentinel.migrate.report import Counters, RunResult, Survey
from sentinel.migrate.state import Checkpoint, StateStore, make_store, now
from sentinel.migrate.worker import FAILED, OK, TOO_LONG, Item, Outcome, WorkerSpec, build_hasher
from sentinel.passwords import PasswordError, PasswordHasher

#: Rows per read while surveying (no hashing, so larger than a write batch).
SURVEY_BATCH = 2000
#: Batches read ahead of the one being written.
IN_FLIGHT = 2
#: Attempts at one batch's write transaction (lock timeouts, deadlocks, a dropped connection).
WRITE_ATTEMPTS = 3
#: Column width used when the hash column is unbounded (TEXT).
UNBOUNDED_WIDTH = 65535
#: Rows of each legacy scheme the survey keeps to calibrate the estimate, and at most in all.
SAMPLE_PER_SCHEME = 2
SAMPLE_MAX = 16
#: Keys of rows too long for the column that the dry run names (the count is always complete).
TOO_LONG_KEYS = 10
#: Database round trips timed for the estimate.
ROUND_TRIPS = 3
#: The least ``max_stored_length`` a ``PasswordHasher`` takes; rows that would not fit a narrower
#: column are never sent to it (the survey's exact length prediction skips them).
MIN_HASHER_LENGTH = 128


@dataclass(kw_only=True)
class _Batch:
    last_key: Key
    rows: list[tuple[Row, Verdict]]
    futures: list[Future[list[Outcome]]]
    histogram: Counter[str] = field(default_factory=Counter)
    too_long: int = 0
    wrappable: int = 0


class Migration:
    """A migration of one table column (one shard of it). Connects and reflects on construction.

    ``before_write`` is a test seam: it is called with the keys about to be swapped, after they were
    read and hashed and before the write transaction, which is when a concurrent login would race us.
    """

    def __init__(
        self,
        config: MigrationConfig,
        *,
        before_write: Callable[[Sequence[Key]], None] | None = None,
    ) -> None:
        self.config = config
        self.before_write = before_write
        for reason in config.profile.weak_reasons() if config.allow_weak else ():
            warnings.warn(f"weak migration profile: {reason}", SentinelUnsafeWarning, stacklevel=2)
        self.engine = connect(config)
        try:
            self.info = reflect(self.engine, config)
            fmt = config.column_format
            width = self.info.width
            spec = WorkerSpec(
                profile=config.profile,
                allow_weak=config.allow_weak,
                recipe_formula=fmt.hex_recipe.formula if fmt.hex_recipe else None,
                recipe_layout=fmt.hex_recipe.layout if fmt.hex_recipe else None,
                plaintext=fmt.plaintext,
                flask_bcrypt_long_passwords=fmt.flask_bcrypt_long_passwords,
                max_stored_length=UNBOUNDED_WIDTH if width is None else max(width, MIN_HASHER_LENGTH),
                pepper_kid=None,
            )
            self.hasher: PasswordHasher = build_hasher(spec, check_kid=False)
            kid = self.hasher.pepper.current_kid if self.hasher.pepper else None
            self.spec = dataclasses.replace(spec, pepper_kid=kid)
            self.classifier = Classifier(fmt, self.hasher)
            self.store: StateStore = make_store(self.engine, config)
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.hasher.close()
        self.engine.dispose()

    def __enter__(self) -> Migration:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pepper_kid(self) -> str | None:
        return self.spec.pepper_kid

    def _too_long(self, verdict: Verdict) -> bool:
        width = self.info.width
        return width is not None and verdict.wrapped_length > width

    # -- survey (the dry run) ------------------------------------------------------------------

    def survey(self) -> Survey:
        """Classify every row of this shard; reads only."""
        histogram: Counter[str] = Counter()
        too_long = longest = 0
        sample: list[Verdict] = []
        too_long_keys: list[str] = []
        after: Key | None = None
        while True:
            rows, last = read_batch(
                self.engine, self.info, after=after, limit=SURVEY_BATCH, shard=self.config.shard
            )
            if last is None:
                break
            after = last
            for row in rows:
                verdict = self.classifier.classify(row.value, row.salt, row.username)
                histogram[verdict.category] += 1
                if is_wrappable(verdict.category):
                    longest = max(longest, verdict.wrapped_length)
                    if self._too_long(verdict):
                        too_long += 1
                        if len(too_long_keys) < TOO_LONG_KEYS:
                            too_long_keys.append(str(row.pk))
                    if histogram[verdict.category] <= SAMPLE_PER_SCHEME and len(sample) < SAMPLE_MAX:
                        sample.append(verdict)
        return Survey(
            histogram=dict(histogram),
            too_long=too_long,
            longest=longest,
            width=self.info.width,
            type_label=self.info.type_label,
            sample=tuple(v for v in sample if not self._too_long(v)),
            too_long_keys=tuple(too_long_keys),
        )

    def calibrate(self, survey: Survey) -> Estimate:
        """Time wraps of the survey's sample of real rows, and the database (see ``calibrate.py``)."""
        if not survey.to_wrap or not survey.sample:
            return estimate(survey.to_wrap, self.config.profile, self.config.workers)
        wraps = [functools.partial(self.hasher.wrap, v.stored, salt=v.salt) for v in survey.sample]
        wall, cpu = time_calls(wraps)
        side_by_side = parallel_rate(wraps, self.config.workers)
        db_per_row = self._db_seconds_per_row()
        return Estimate(
            rows=survey.to_wrap,
            workers=self.config.workers,
            cores=default_workers(),
            seconds_per_hash=wall,
            cpu_per_hash=cpu,
            db_per_row=db_per_row,
            sampled=len(survey.sample),
            parallel_rate=side_by_side,
        )

    def _db_seconds_per_row(self) -> float:
        def round_trip() -> None:
            with self.engine.connect() as conn:
                conn.execute(sa.select(sa.literal(1))).all()

        try:
            rtt = time_calls([round_trip] * ROUND_TRIPS)[0]
            size = self.config.batch_size
            started = time.perf_counter()
            rows, _ = read_batch(self.engine, self.info, after=None, limit=size, shard=self.config.shard)
            read = time.perf_counter() - started
        except sa.exc.SQLAlchemyError:
            return 0.0
        count = max(1, len(rows))
        return (read + rtt * (count + 1)) / count

    def checkpoint(self) -> Checkpoint | None:
        return self.store.load()

    def checkpoint_status(self) -> tuple[Checkpoint | None, str | None]:
        """The checkpoint, or why it cannot be read: a dry run reports it and goes on (it needs only
        SELECT on the user table); ``execute`` raises the same refusal with what to grant."""
        try:
            return self.store.load(), None
        except DatabaseFailure as exc:
            if exc.denied is None:
                raise
            return None, f"not readable by this user ({exc.denied}); a dry run does not need it"

    # -- probe -----------------------------------------------------------------------------------

    def probe(self, key_text: str, password: str) -> str:
        """Check that ``password`` verifies the row ``key_text`` as declared, and still verifies once
        wrapped (in memory only). Returns the row's category; raises ``ProbeFailed``."""
        row = fetch_row(self.engine, self.info, parse_key(key_text, self.info.key_kind))
        if row is None:
            raise ProbeFailed(f"--probe: no row has {self.config.pk} = {key_text!r}")
        verdict = self.classifier.classify(row.value, row.salt, row.username)
        if verdict.category in UNRECOGNISED or verdict.category == EMPTY:
            raise ProbeFailed(
                f"--probe: the row's value is {label(verdict.category)}; check --recipe, --layout, "
                "--salt-column (nothing was written)"
            )
        try:
            if not is_wrappable(verdict.category):
                ok = self.hasher.verify(row.value or "", password)
            else:
                ok = self.hasher.verify(verdict.stored, password, salt=verdict.salt)
                ok = ok and self.hasher.verify(self.hasher.wrap(verdict.stored, salt=verdict.salt), password)
        except PasswordError as exc:
            raise ProbeFailed(f"--probe: {exc} (nothing was written)") from None
        if not ok:
            raise ProbeFailed(
                f"--probe: the password does not verify against row {key_text!r} as "
                f"{label(verdict.category)}: check --recipe, --layout, --salt-column (nothing was written)"
            )
        return verdict.category

    # -- execution -----------------------------------------------------------------------------

    def _resume_point(self) -> tuple[Counters, Key | None, bool]:
        checkpoint = self.store.load()
        fingerprint = self.config.fingerprint()
        if checkpoint is None or self.config.restart:
            return Counters(), None, False
        if checkpoint.fingerprint != fingerprint and not checkpoint.done:
            raise CheckpointMismatch(
                f"the checkpoint in {self.store.describe()} was made with another recipe, profile or key: "
                "rerun with the same options, or pass --restart to scan from the start"
            )
        if checkpoint.done:
            return Counters(), None, False
        return Counters.from_dict(checkpoint.counters), checkpoint.last_pk, True

    def execute(self, *, total: int = 0, progress: Progress | None = None) -> RunResult:
        """Wrap every legacy row of this shard; resumable at any point. ``total`` sizes the progress
        bar (the survey's ``to_wrap``)."""
        check_memory(self.config.workers, self.config.profile, self.config.max_memory)
        counters, after, resumed = self._resume_point()
        self.store.prepare()
        progress = progress or NullProgress()
        pool = WorkerPool(self.spec, self.config.workers)
        wrapped_before = counters.wrapped
        started = time.monotonic()
        complete = False
        try:
            pool.warm_up()
            started = time.monotonic()
            progress.start(total)
            self._pipeline(pool, counters, after, progress, wrapped_before)
            complete = True
        except BrokenProcessPool:
            raise WorkerCrashed(
                "a hashing worker died (out of memory? killed?): lower --workers, then rerun to resume"
            ) from None
        finally:
            progress.stop()
            pool.close(cancel=not complete)
            security_event(
                "password.migration_run",
                outcome="completed" if complete else "interrupted",
                level=logging.INFO,
                table=self.config.qualified_table,
                column=self.config.column,
                shard=self.config.shard.label,
                wrapped=counters.wrapped - wrapped_before,
                changed_concurrently=counters.changed_concurrently,
                left_over=counters.left_over,
            )
        return RunResult(
            counters=counters,
            hashing_seconds=time.monotonic() - started,
            wrapped_now=counters.wrapped - wrapped_before,
            resumed=resumed,
            complete=complete,
        )

    def _pipeline(
        self, pool: WorkerPool, counters: Counters, after: Key | None, progress: Progress, wrapped_before: int
    ) -> None:
        in_flight: deque[_Batch] = deque()
        handled = 0
        while True:
            rows, last = read_batch(
                self.engine, self.info, after=after, limit=self.config.batch_size, shard=self.config.shard
            )
            if last is None:
                break
            after = last
            in_flight.append(self._dispatch(pool, rows, last))
            while len(in_flight) > IN_FLIGHT or (in_flight and _ready(in_flight[0])):
                handled += self._commit(in_flight.popleft(), counters)
                progress.update(handled, counters.wrapped - wrapped_before)
        while in_flight:
            handled += self._commit(in_flight.popleft(), counters)
            progress.update(handled, counters.wrapped - wrapped_before)
        self._save_final(counters)

    def _dispatch(self, pool: WorkerPool, rows: list[Row], last: Key) -> _Batch:
        batch = _Batch(last_key=last, rows=[], futures=[])
        items: list[Item] = []
        for row in rows:
            verdict = self.classifier.classify(row.value, row.salt, row.username)
            batch.histogram[verdict.category] += 1
            if not is_wrappable(verdict.category):
                continue
            batch.wrappable += 1
            if self._too_long(verdict):
                batch.too_long += 1
                continue
            items.append((len(batch.rows), verdict.stored, verdict.salt))
            batch.rows.append((row, verdict))
        batch.futures = [pool.submit(chunk) for chunk in chunks(items, pool.workers)]
        return batch

    def _updates(self, batch: _Batch, delta: Counters) -> list[Update]:
        updates = []
        for future in batch.futures:
            for index, new, outcome in future.result():
                row, verdict = batch.rows[index]
                if outcome == OK and new is not None and row.value is not None:
                    updates.append(
                        Update(
                            pk=row.pk,
                            old=row.value,
                            new=new,
                            salt=row.salt if verdict.uses_salt_column else None,
                            username=row.username if verdict.uses_username else None,
                        )
                    )
                elif outcome == TOO_LONG:
                    delta.too_long += 1
                elif outcome == FAILED:
                    delta.failed += 1
        return updates

    def _still_legacy(self, conn: sa.Connection, updates: list[Update]) -> int:
        """Of ``updates`` whose compare-and-swap found the row changed, how many still hold a value a
        migration would have to handle (legacy or unrecognised), as read now in this transaction."""
        current = {row.pk: row for row in read_keys(conn, self.info, [u.pk for u in updates])}
        left = 0
        for u in updates:
            row = current.get(u.pk)
            if row is None or row.value == u.new:
                continue  # deleted, or ours
            category = self.classifier.classify(row.value, row.salt, row.username).category
            left += is_wrappable(category) or category in UNRECOGNISED
        return left

    def _write_grant(self) -> str:
        grant = f"GRANT SELECT, UPDATE ON {self.info.table.fullname} TO the migration's user"
        if self.config.state_file is None:
            grant += f", and SELECT, INSERT, UPDATE on {self.config.state_table} (or use --state-file)"
        return grant + "; a dry run needs SELECT only"

    def _commit(self, batch: _Batch, counters: Counters) -> int:
        """Write one batch and its checkpoint in one transaction; returns the rows sent to be wrapped
        (what the progress counts against the survey's ``to_wrap``)."""
        delta = Counters(histogram=Counter(batch.histogram), too_long=batch.too_long)
        updates = self._updates(batch, delta)
        if updates and self.before_write is not None:
            self.before_write([u.pk for u in updates])
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.engine.begin() as conn:
                    swapped = compare_and_swap(conn, self.info, updates) if updates else 0
                    delta.changed_legacy = self._still_legacy(conn, updates) if swapped < len(updates) else 0
                    merged = _merge(counters, delta, swapped, len(updates))
                    checkpoint = self._checkpoint(batch.last_key, merged, done=False)
                    self.store.save_in(conn, checkpoint)
                break
            except sa.exc.SQLAlchemyError as exc:
                error = failure(exc, "writing a batch", grant=self._write_grant())
                if not error.retryable or attempt == WRITE_ATTEMPTS:
                    raise error from None
                time.sleep(0.25 * attempt)
        self.store.save_after(checkpoint)
        _assign(counters, merged)
        return len(batch.rows)

    def _checkpoint(self, last_key: Key | None, counters: Counters, *, done: bool) -> Checkpoint:
        return Checkpoint(
            last_pk=last_key,
            counters=counters.to_dict(),
            fingerprint=self.config.fingerprint(),
            done=done,
            updated_at=now(),
        )

    def _save_final(self, counters: Counters) -> None:
        checkpoint = self._checkpoint(None, counters, done=True)
        try:
            with self.engine.begin() as conn:
                self.store.save_in(conn, checkpoint)
        except sa.exc.SQLAlchemyError as exc:
            raise failure(exc, "saving the final checkpoint", grant=self._write_grant()) from None
        self.store.save_after(checkpoint)


def _ready(batch: _Batch) -> bool:
    return all(f.done() for f in batch.futures)


def _merge(counters: Counters, delta: Counters, swapped: int, attempted: int) -> Counters:
    return Counters(
        histogram=counters.histogram + delta.histogram,
        wrapped=counters.wrapped + swapped,
        changed_concurrently=counters.changed_concurrently + attempted - swapped,
        changed_legacy=counters.changed_legacy + delta.changed_legacy,
        too_long=counters.too_long + delta.too_long,
        failed=counters.failed + delta.failed,
    )


def _assign(target: Counters, source: Counters) -> None:
    target.histogram = source.histogram
    target.wrapped = source.wrapped
    target.changed_concurrently = source.changed_concurrently
    target.changed_legacy = source.changed_legacy
    target.too_long = source.too_long
    target.failed = source.failed


__all__ = ["IN_FLIGHT", "SURVEY_BATCH", "WRITE_ATTEMPTS", "Migration"]
