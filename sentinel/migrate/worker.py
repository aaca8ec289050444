"""What runs inside each hashing process: one ``PasswordHasher`` per process, built from a picklable
spec, wrapping chunks of rows.

Processes, not threads: argon2 is CPU-bound, and one process per core gives each hash a core of its
own without sharing an interpreter with the reader and writer. The pepper is read from the environment
in each process (``SENTINEL_PASSWORD_PEPPER[_FILE]``, the same as the application); its key id is
checked against the one the parent computed, so a worker can never wrap with a different key.
Workers ignore SIGINT: Ctrl-C reaches the parent, which stops cleanly at a batch boundary. And they
watch their parent: a ``ProcessPoolExecutor`` worker holds both ends of its task queue, so when the
parent is SIGKILLed (the OOM killer, a crash) it would wait forever, holding its argon2 memory. Each
worker exits within :data:`PARENT_CHECK_SECONDS` once its parent is gone.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings
from dataclasses import dataclass

from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.passwords import Argon2Profile, HexRecipe, PasswordError, PasswordHasher, WrappedHashTooLong

#: How often a worker checks that its parent process is still alive.
PARENT_CHECK_SECONDS = 0.5
OK = "ok"
TOO_LONG = "too-long"
FAILED = "failed"

#: One item to wrap: (index in the batch, stored value, salt or None).
Item = tuple[int, str, str | bytes | None]
#: Its outcome: (index, wrapped value or None, OK | TOO_LONG | FAILED).
Outcome = tuple[int, str | None, str]


@dataclass(frozen=True, kw_only=True)
class WorkerSpec:
    """Everything a worker needs to build its hasher; plain picklable values only."""

    profile: Argon2Profile
    allow_weak: bool
    recipe_formula: str | None
    recipe_layout: str | None
    plaintext: bool
    max_stored_length: int
    pepper_kid: str | None
    flask_bcrypt_long_passwords: bool = False


def build_hasher(spec: WorkerSpec, *, check_kid: bool = True) -> PasswordHasher:
    """The hasher a worker (or the parent, for probes) wraps with."""
    recipe = None
    if spec.recipe_formula is not None:
        recipe = HexRecipe(formula=spec.recipe_formula, layout=spec.recipe_layout or "{digest}")
    with warnings.catch_warnings():
        # The parent has already warned, loudly, about the weak test profile.
        warnings.simplefilter("ignore", SentinelUnsafeWarning)
        hasher = PasswordHasher(
            profile=spec.profile,
            allow_weak=spec.allow_weak,
            pepper="env",
            hex_recipe=recipe,
            plaintext_column=spec.plaintext,
            flask_bcrypt_long_passwords=spec.flask_bcrypt_long_passwords,
            max_stored_length=spec.max_stored_length,
            max_concurrency=1,
        )
    kid = hasher.pepper.current_kid if hasher.pepper else None
    if check_kid and kid != spec.pepper_kid:
        raise ConfigurationError(["a worker sees a different pepper than the parent process"])
    return hasher


_hasher: PasswordHasher | None = None


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def init_worker(spec: WorkerSpec, parent: int) -> None:
    """Process-pool initializer: ignore Ctrl-C, die with the parent, build this process's hasher.

    ``parent`` is the pid the parent had when it started the pool: a parent killed while this worker
    was still starting is noticed here, not just later.
    """
    global _hasher
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getppid() != parent:
        os._exit(1)
    watchdog = threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True)
    watchdog.start()
    _hasher = build_hasher(spec)


def ping() -> int:
    """Proves a worker is up and initialised (used to start every worker before timing begins)."""
    return os.getpid()


def wrap_chunk(items: list[Item]) -> list[Outcome]:
    """Wrap each item. A value too long for the column, or one ``wrap`` refuses, is reported, never
    raised: one odd row must not cost the batch."""
    if _hasher is None:
        raise RuntimeError("wrap_chunk called outside an initialised worker")
    outcomes: list[Outcome] = []
    for index, stored, salt in items:
        try:
            outcomes.append((index, _hasher.wrap(stored, salt=salt), OK))
        except WrappedHashTooLong:
            outcomes.append((index, None, TOO_LONG))
        except PasswordError:
            outcomes.append((index, None, FAILED))
    return outcomes


__all__ = [
    "FAILED",
    "OK",
    "TOO_LONG",
    "Item",
    "Outcome",
    "WorkerSpec",
    "build_hasher",
    "init_worker",
    "ping",
    "wrap_chunk",
]
