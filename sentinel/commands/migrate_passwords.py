"""``sentinel migrate-passwords URL --table T --pk ID --column HASH``: wrap legacy password hashes in
argon2id, in place. A dry run unless ``--execute``. See ``docs/migrate-passwords.md``.

Exit codes: 0 done (or, for a dry run, every row recognised and fitting); 1 done, with rows left
unrecognised, too long for the column, failed, or changed concurrently to another legacy value; 2 a
usage, connection, permission or configuration error (one line naming the fix); 130 interrupted by
Ctrl-C (committed batches stay, with their checkpoint). Needs the ``migrate`` extra.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.extras import install_hint

if TYPE_CHECKING:
    from sentinel.migrate import Estimate, Migration, MigrationConfig, RunResult, Survey

URL_ENV = "SENTINEL_MIGRATE_DB_URL"
EXTRA_HINT = f"migrate-passwords needs the 'migrate' extra: {install_hint('migrate')}"
_BACKUP = {
    "sqlite": "sqlite3 FILE '.backup FILE.bak'",
    "postgresql": "pg_dump --table={table}",
    "mysql": "mysqldump DATABASE {table}",
    "mariadb": "mariadb-dump DATABASE {table}",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Wrap legacy password hashes (md5, sha1, bcrypt, pbkdf2, ...) in argon2id, in place, without the "
        "passwords. A dry run unless --execute."
    )
    parser.add_argument("url", nargs="?", metavar="DATABASE_URL", help=f"SQLAlchemy URL (or set {URL_ENV})")
    table = parser.add_argument_group("table")
    table.add_argument("--table", required=True, help="the user table (or schema.table)")
    table.add_argument("--pk", required=True, help="its primary key column")
    table.add_argument("--column", required=True, help="the password hash column")
    table.add_argument("--salt-column", help="a separate salt column, read by a bare-hex --recipe")
    table.add_argument("--username-column", help="the role/user name column (--recipe postgres-md5)")
    fmt = parser.add_argument_group("hash format (self-describing formats need nothing)")
    fmt.add_argument(
        "--recipe",
        help="bare hex: a formula like 'md5(password)' or 'sha256(salt+password)'; or postgres-md5; "
        "or flask-bcrypt-long-passwords (Flask-Bcrypt's BCRYPT_HANDLE_LONG_PASSWORDS=True)",
    )
    fmt.add_argument(
        "--layout", help="where a bare-hex salt lives: '{digest}' (default), '{salt}${digest}', ..."
    )
    fmt.add_argument("--plaintext-column", action="store_true", help="the column holds PLAINTEXT passwords")
    run = parser.add_argument_group("run")
    run.add_argument("--execute", action="store_true", help="write; without it nothing is written")
    run.add_argument("--probe", metavar="PK", help="first check one known password (asked at a prompt)")
    run.add_argument("--profile", default="default", help="argon2id cost: default | owasp")
    run.add_argument("--workers", type=int, help="hashing processes (default: one per core)")
    run.add_argument("--max-memory", type=int, metavar="MiB", help="memory the workers may use")
    run.add_argument("--batch-size", type=int, default=200, help="rows per write transaction (default 200)")
    run.add_argument("--shard", default="1/1", metavar="K/N", help="process shard K of N (see the docs)")
    run.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    state = parser.add_argument_group("checkpoint")
    state.add_argument(
        "--state-file", type=Path, help="keep the checkpoint in this file, not in the database"
    )
    state.add_argument("--state-table", default="sentinel_migration_state", help="checkpoint table name")
    state.add_argument(
        "--restart", action="store_true", help="ignore a saved checkpoint and scan from the start"
    )
    limits = parser.add_argument_group("timeouts (seconds)")
    limits.add_argument("--connect-timeout", type=float, default=10.0)
    limits.add_argument("--lock-timeout", type=float, default=10.0, help="wait for a row the app has locked")


def _url(args: argparse.Namespace, stderr: IO[str]) -> str:
    from sentinel.cli import CLIError
    from sentinel.migrate.database import parse_url

    url: str | None = args.url or os.environ.get(URL_ENV)
    if not url:
        raise CLIError(f"give the database URL as an argument or in {URL_ENV}, e.g. sqlite:///users.db")
    if args.url and parse_url(args.url).password:
        stderr.write(
            "sentinel migrate-passwords: warning: the database password is visible in the process list; "
            f"put the URL in {URL_ENV}\n"
        )
    return url


def build_config(args: argparse.Namespace, stderr: IO[str] | None = None) -> MigrationConfig:
    """The validated configuration; every problem becomes one ``CLIError`` line."""
    stderr = stderr or sys.stderr
    from sentinel.migrate import MigrationConfig, Shard, Timeouts, column_format, resolve_profile
    from sentinel.migrate.config import table_name
    from sentinel.migrate.pool import default_workers

    schema, table = table_name(args.table)
    fmt = column_format(
        recipe=args.recipe,
        layout=args.layout,
        plaintext=args.plaintext_column,
        salt_column=args.salt_column,
        username_column=args.username_column,
    )
    profile, allow_weak = resolve_profile(args.profile, environ=dict(os.environ))
    if allow_weak:
        stderr.write(
            f"sentinel migrate-passwords: WARNING: --profile {profile.name} stores hashes that cost nothing "
            "to crack. Test suites only.\n"
        )
    return MigrationConfig(
        url=_url(args, stderr),
        schema=schema,
        table=table,
        pk=args.pk,
        column=args.column,
        salt_column=args.salt_column,
        username_column=args.username_column,
        column_format=fmt,
        profile=profile,
        allow_weak=allow_weak,
        workers=args.workers if args.workers is not None else default_workers(),
        batch_size=args.batch_size,
        shard=Shard.parse(args.shard),
        state_file=args.state_file,
        state_table=args.state_table,
        timeouts=Timeouts(connect=args.connect_timeout, lock=args.lock_timeout),
        max_memory=args.max_memory * 2**20 if args.max_memory is not None else None,
        restart=args.restart,
    )


def read_password(key: str, stdin: IO[str] | None = None) -> str:
    """The probe password: at a getpass prompt on a terminal, else one line of stdin. Never argv."""
    stdin = stdin or sys.stdin
    from sentinel.cli import CLIError

    if stdin.isatty():
        password = getpass.getpass(f"known password for row {key} (not echoed): ")
    else:
        password = stdin.readline().removesuffix("\n").removesuffix("\r")
    if not password:
        raise CLIError("--probe: no password given (type it at the prompt, or pipe it on stdin)")
    return password


def run(args: argparse.Namespace) -> int:
    from sentinel.cli import CLIError

    try:
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        raise CLIError(EXTRA_HINT) from exc
    from sentinel.migrate import MigrationError

    try:
        return _run(args)
    except (MigrationError, ConfigurationError) as exc:
        raise CLIError(str(exc)) from exc


#: The conventional exit code of a process stopped by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130


def _run(args: argparse.Namespace) -> int:
    try:
        return _run_migration(args)
    except KeyboardInterrupt:
        if args.execute:
            why = (
                "every batch written before it is committed with its checkpoint, nothing after it was "
                "written; rerun the same command to resume"
            )
        else:
            why = "this was a dry run: nothing was written"
        sys.stderr.write(f"sentinel migrate-passwords: interrupted (Ctrl-C): {why}\n")
        return EXIT_INTERRUPTED


def _run_migration(args: argparse.Namespace) -> int:
    from sentinel.migrate import Migration

    config = build_config(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SentinelUnsafeWarning)  # already said on stderr
        migration = Migration(config)
    with migration:
        survey = migration.survey()
        guess = migration.calibrate(survey)
        probed = migration.probe(args.probe, read_password(args.probe)) if args.probe else None
        if not args.execute:
            _emit(
                args,
                _report(migration, survey, guess, probed, None),
                _dry_run_text(migration, survey, guess, probed),
            )
            return survey.exit_code()
        if not args.json:
            print("\n".join(_header(migration, "MIGRATING")), flush=True)
        from sentinel.migrate.progress import make_progress

        result = migration.execute(total=survey.to_wrap, progress=make_progress(sys.stderr))
        _emit(args, _report(migration, survey, guess, probed, result), _result_text(result))
        return result.exit_code()


def _emit(args: argparse.Namespace, report: dict[str, Any], text: list[str]) -> None:
    if args.json:
        json.dump(report, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print("\n".join(text))


def _profile_text(migration: Migration) -> str:
    p = migration.config.profile
    memory = f"{p.memory_cost // 1024} MiB" if p.memory_cost >= 1024 else f"{p.memory_cost} KiB"
    pepper = f"pepper key id {migration.pepper_kid}" if migration.pepper_kid else "no pepper"
    return f"{p.name}: argon2id t={p.time_cost}, m={memory}, p={p.parallelism}; {pepper}"


def _header(migration: Migration, mode: str) -> list[str]:
    from sentinel.migrate.database import redact

    c, info = migration.config, migration.info
    checkpoint, unreadable = migration.checkpoint_status()
    saved = unreadable or "none"
    if checkpoint is not None:
        state = (
            "complete (a new pass starts)" if checkpoint.done else f"resumes after key {checkpoint.last_pk!r}"
        )
        saved = f"{migration.store.describe()}: {state}"
    return [
        f"sentinel migrate-passwords: {mode}",
        f"  database    {redact(c.url)}",
        f"  table       {c.qualified_table}: key {c.pk} ({info.key_kind}), "
        f"hash column {c.column} {info.type_label}",
        f"  format      {c.column_format.describe()}",
        f"  shard       {c.shard.label}, {c.workers} worker(s), batches of {c.batch_size}",
        f"  profile     {_profile_text(migration)}",
        f"  checkpoint  {saved}",
    ]


def _dry_run_text(migration: Migration, survey: Survey, guess: Estimate, probed: str | None) -> list[str]:
    from sentinel.migrate.classify import label
    from sentinel.migrate.progress import duration
    from sentinel.migrate.report import histogram_lines

    table = migration.config.qualified_table
    backup = _BACKUP.get(migration.info.backend, "your usual backup tool").format(table=table)
    lines = [
        *_header(migration, "DRY RUN, nothing is written (add --execute to migrate)"),
        "",
        "rows by current format",
    ]
    lines += histogram_lines(survey.histogram)
    lines += [
        "",
        f"column fit  {survey.fit_text()}",
        f"estimate    {guess.rows} row(s) to wrap: about {duration(guess.seconds)} "
        f"({guess.limit:.1f} rows/s; {guess.workers} worker(s), {guess.cores} core(s), "
        f"{guess.seconds_per_hash * 1000:.3g} ms per wrap, {guess.db_per_row * 1000:.2g} ms "
        f"database per row; timed on {guess.sampled} of the table's rows)",
    ]
    if probed is not None:
        lines.append(f"probe       the known password verifies, before and after wrapping ({label(probed)})")
    lines.append(f"backup      back up {table} before --execute, e.g. {backup}")
    return lines


def _result_text(result: RunResult) -> list[str]:
    c = result.counters
    reasons = [
        (c.unrecognised, "unrecognised: fix --recipe/--layout, or reset those passwords"),
        (c.too_long, "too long for the column: widen it and rerun"),
        (c.failed, "failed to wrap: check those rows with sentinel.passwords.identify"),
        (c.changed_legacy, "changed concurrently to another legacy value: rerun to wrap them"),
    ]
    hints = [f"{n} {why}" for n, why in reasons if n]
    ending = f"exit {result.exit_code()}" + (" (" + "; ".join(hints) + ")" if hints else ": done")
    state = "complete" if result.complete else "INTERRUPTED: rerun to resume"
    return [f"summary ({state})", *result.summary_lines(), ending]


def _report(
    migration: Migration, survey: Survey, guess: Estimate, probed: str | None, result: RunResult | None
) -> dict[str, Any]:
    from sentinel.migrate.database import redact

    c = migration.config
    checkpoint = migration.checkpoint_status()[0] if result is None else None
    return {
        "mode": "execute" if result is not None else "dry-run",
        "database": redact(c.url),
        "table": c.qualified_table,
        "column": c.column,
        "shard": c.shard.label,
        "workers": c.workers,
        "profile": c.profile.name,
        "pepper_kid": migration.pepper_kid,
        "survey": survey.to_dict(),
        "estimate": guess.to_dict(),
        "probe": probed,
        "checkpoint": None
        if checkpoint is None
        else {
            "last_pk": str(checkpoint.last_pk),
            "done": checkpoint.done,
            "updated_at": checkpoint.updated_at,
        },
        "result": result.to_dict() if result is not None else None,
        "exit_code": result.exit_code() if result is not None else survey.exit_code(),
    }


__all__ = [
    "EXIT_INTERRUPTED",
    "EXTRA_HINT",
    "URL_ENV",
    "add_arguments",
    "build_config",
    "read_password",
    "run",
]
