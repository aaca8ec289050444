"""Progress while a scan runs: phase, requests against the budget, findings so far.

A scan can take minutes; a silent terminal looks hung. On a TTY the CLI shows a live ``rich`` line
(spinner, phase, a requests/budget bar, findings); anywhere else (CI logs, pipes) it prints one plain
line per phase, so logs stay readable and diffable. The runner only calls :class:`Listener` methods;
the library default is :class:`Silent`.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO, Protocol


class Listener(Protocol):
    """What the runner reports to; every method must be cheap (``request`` runs per request)."""

    def phase(self, name: str) -> None: ...

    def request(self, used: int, budget: int) -> None: ...

    def findings(self, count: int) -> None: ...


class Silent:
    """No output (the default for library use and tests)."""

    def phase(self, name: str) -> None:
        return None

    def request(self, used: int, budget: int) -> None:
        return None

    def findings(self, count: int) -> None:
        return None


class PlainLines:
    """One line per phase on ``stream`` (not a TTY), e.g.
    ``sentinel scan: check xxe (412/3000 requests, 2 findings, 9 s)``."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.used = self.budget = self.found = 0
        self.started = time.monotonic()

    def phase(self, name: str) -> None:
        elapsed = time.monotonic() - self.started
        counts = f"{self.used}/{self.budget} requests, {self.found} findings, {elapsed:.0f} s"
        print(f"sentinel scan: {name} ({counts})", file=self.stream, flush=True)

    def request(self, used: int, budget: int) -> None:
        self.used, self.budget = used, budget

    def findings(self, count: int) -> None:
        self.found = count


class RichLive:
    """A live line on a TTY: spinner, phase, requests/budget bar, findings. Use as a context manager."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[phase]}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} requests"),
            TextColumn("{task.fields[found]} findings"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self._task = self._progress.add_task("scan", total=1, phase="starting", found=0)

    def __enter__(self) -> RichLive:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()

    def phase(self, name: str) -> None:
        self._progress.update(self._task, phase=name)

    def request(self, used: int, budget: int) -> None:
        self._progress.update(self._task, completed=used, total=budget)

    def findings(self, count: int) -> None:
        self._progress.update(self._task, found=count)


def for_stream(stream: IO[str] | None = None) -> RichLive | PlainLines:
    """The right display for ``stream`` (stderr by default): live on a TTY, plain lines otherwise."""
    stream = stream or sys.stderr
    return RichLive(stream) if stream.isatty() else PlainLines(stream)


__all__ = ["Listener", "PlainLines", "RichLive", "Silent", "for_stream"]
