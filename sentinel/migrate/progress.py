"""Progress while a migration runs: a rich bar on a terminal, plain lines at intervals otherwise.

Both show the rows sent to be wrapped out of the survey's rows to wrap (rows too long for the column
are in neither number), the rate in rows per second and the time left.
Nothing else: no keys, no values. They write to stderr, so ``--json`` output on stdout stays clean.
"""

from __future__ import annotations

import time
from typing import IO, Any, Protocol

#: Seconds between plain progress lines when stderr is not a terminal.
PLAIN_INTERVAL = 10.0


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def update(self, done: int, wrapped: int) -> None: ...
    def stop(self) -> None: ...


def duration(seconds: float) -> str:
    """``1d 02:03:04``, ``0:00:07``: compact and unambiguous."""
    seconds = max(0, round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days}d {clock}" if days else clock


class NullProgress:
    def start(self, total: int) -> None:
        """No output."""

    def update(self, done: int, wrapped: int) -> None:
        """No output."""

    def stop(self) -> None:
        """No output."""


class PlainProgress:
    """One line every ``interval`` seconds (and a last one at the end), for logs and CI."""

    def __init__(self, stream: IO[str], *, interval: float = PLAIN_INTERVAL) -> None:
        self.stream = stream
        self.interval = interval
        self.total = 0
        self.started = 0.0
        self.last = 0.0
        self.done = 0
        self.wrapped = 0

    def start(self, total: int) -> None:
        self.total = total
        self.started = self.last = time.monotonic()

    def update(self, done: int, wrapped: int) -> None:
        self.done, self.wrapped = done, wrapped
        self.total = max(self.total, done)  # legacy rows inserted since the survey
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self._line(now)

    def stop(self) -> None:
        self._line(time.monotonic())

    def _line(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 and self.total > self.done else 0.0
        pct = 100.0 * self.done / self.total if self.total else 100.0
        self.stream.write(
            f"migrate-passwords: {self.done}/{self.total} rows ({pct:.1f}%), {self.wrapped} wrapped, "
            f"{rate:.1f} rows/s, ETA {duration(left)}\n"
        )
        self.stream.flush()


class RichProgress:
    """A rich progress bar with rows/s and ETA (the ``rich`` package is in the ``migrate`` extra)."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f} rows/s" if speed else "-- rows/s")

        columns: list[Any] = [
            TextColumn("wrapping"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        ]
        self._progress = Progress(*columns, console=Console(file=stream), transient=False)
        self._task: Any = None

    def start(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("wrap", total=max(total, 0))

    def update(self, done: int, wrapped: int) -> None:
        task = self._progress.tasks[0] if self._progress.tasks else None
        total = max(done, int(task.total or 0)) if task is not None else done
        self._progress.update(self._task, completed=done, total=total)

    def stop(self) -> None:
        self._progress.stop()


def make_progress(stream: IO[str], *, quiet: bool = False) -> Progress:
    """Rich on a terminal (when installed), plain lines otherwise, nothing when ``quiet``."""
    if quiet:
        return NullProgress()
    if stream.isatty():
        try:
            return RichProgress(stream)
        except ImportError:
            pass
    return PlainProgress(stream)


__all__ = [
    "PLAIN_INTERVAL",
    "NullProgress",
    "PlainProgress",
    "Progress",
    "RichProgress",
    "duration",
    "make_progress",
]
