"""What a survey found and what a run did, as counters, text tables and JSON.

Nothing here ever holds a stored value: only categories, counts, lengths, keys and timings. The exit
code is decided here too: 0 when every row ended in a settled state, 1 when any row was left
unrecognised, too long for its column, failed to wrap, or changed concurrently *to another legacy
value* (a rerun picks those up). A row the application changed to argon2 meanwhile (a password reset)
is settled: it is counted as changed concurrently, and does not make the exit code 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sentinel.migrate.classify import EMPTY, SETTLED, UNRECOGNISED, Verdict, is_wrappable, label

EXIT_DONE = 0
EXIT_LEFT_OVER = 1


@dataclass(kw_only=True)
class Counters:
    """Per-category rows scanned, and what happened to the wrappable ones. Mutable: one per run."""

    histogram: Counter[str] = field(default_factory=Counter)
    wrapped: int = 0
    changed_concurrently: int = 0
    #: Of those, the rows that still held a legacy or unrecognised value when re-read.
    changed_legacy: int = 0
    too_long: int = 0
    failed: int = 0

    @property
    def scanned(self) -> int:
        return sum(self.histogram.values())

    @property
    def unrecognised(self) -> int:
        return sum(n for c, n in self.histogram.items() if c in UNRECOGNISED)

    @property
    def left_over(self) -> int:
        """Rows this run could not settle: the reason for exit code 1."""
        return self.unrecognised + self.too_long + self.failed + self.changed_legacy

    def to_dict(self) -> dict[str, Any]:
        return {
            "histogram": dict(sorted(self.histogram.items())),
            "wrapped": self.wrapped,
            "changed_concurrently": self.changed_concurrently,
            "changed_still_legacy": self.changed_legacy,
            "too_long": self.too_long,
            "failed": self.failed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Counters:
        return cls(
            histogram=Counter({str(k): int(v) for k, v in dict(data.get("histogram", {})).items()}),
            wrapped=int(data.get("wrapped", 0)),
            changed_concurrently=int(data.get("changed_concurrently", 0)),
            # Checkpoints from before this counter existed: assume every changed row still legacy.
            changed_legacy=int(data.get("changed_still_legacy", data.get("changed_concurrently", 0))),
            too_long=int(data.get("too_long", 0)),
            failed=int(data.get("failed", 0)),
        )

    def exit_code(self) -> int:
        return EXIT_LEFT_OVER if self.left_over else EXIT_DONE


@dataclass(frozen=True, kw_only=True)
class Survey:
    """The dry run's findings for this shard."""

    histogram: Mapping[str, int]
    #: Wrappable rows whose wrapped value would not fit the column.
    too_long: int
    #: The longest wrapped value any wrappable row would get (0 when there is none).
    longest: int
    width: int | None
    type_label: str
    #: A few wrappable rows of each scheme (never printed), wrapped in memory to calibrate the estimate.
    sample: tuple[Verdict, ...] = ()
    #: The keys of the first rows that would not fit (keys only: never a value).
    too_long_keys: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(self.histogram.values())

    @property
    def to_wrap(self) -> int:
        return sum(n for c, n in self.histogram.items() if is_wrappable(c)) - self.too_long

    @property
    def unrecognised(self) -> int:
        return sum(n for c, n in self.histogram.items() if c in UNRECOGNISED)

    def exit_code(self) -> int:
        return EXIT_LEFT_OVER if self.unrecognised or self.too_long else EXIT_DONE

    def fit_text(self) -> str:
        if not self.longest:
            return "nothing to wrap"
        if self.width is None:
            return f"longest wrapped value {self.longest} characters; column {self.type_label} is unbounded"
        if self.too_long:
            more = ", ..." if self.too_long > len(self.too_long_keys) else ""
            return (
                f"{self.too_long} row(s) would not fit: longest wrapped value {self.longest} characters, "
                f"column {self.type_label}. Widen it (ALTER ... VARCHAR(255)) or they stay legacy "
                f"(keys {', '.join(self.too_long_keys)}{more})"
            )
        return f"all fit: longest wrapped value {self.longest} characters, column {self.type_label}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "histogram": dict(sorted(self.histogram.items())),
            "to_wrap": self.to_wrap,
            "unrecognised": self.unrecognised,
            "column": {
                "type": self.type_label,
                "width": self.width,
                "longest_wrapped": self.longest,
                "too_long": self.too_long,
                "too_long_keys": list(self.too_long_keys),
            },
        }


def _order(category: str) -> tuple[int, str]:
    if category in SETTLED:
        return 0, category
    if is_wrappable(category):
        return 1, category
    return (3 if category == EMPTY else 2), category


def histogram_lines(histogram: Mapping[str, int]) -> list[str]:
    """An aligned two-column table, settled first, then legacy, then problems."""
    rows = [(label(c), n) for c, n in sorted(histogram.items(), key=lambda item: _order(item[0]))]
    rows.append(("total", sum(histogram.values())))
    width = max(len(name) for name, _ in rows)
    return [f"  {name:<{width}}  {count:>9}" for name, count in rows]


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """A finished (or interrupted) execution."""

    counters: Counters
    #: Seconds from the first batch to the last commit, with every worker already started.
    hashing_seconds: float
    #: Rows wrapped by *this* process (a resumed run's counters include earlier runs).
    wrapped_now: int
    resumed: bool
    complete: bool

    @property
    def rate(self) -> float:
        return self.wrapped_now / self.hashing_seconds if self.hashing_seconds > 0 else 0.0

    def exit_code(self) -> int:
        return self.counters.exit_code()

    def summary_lines(self) -> list[str]:
        c = self.counters
        lines = [
            f"  {'rows scanned':<24}{c.scanned:>9}",
            f"  {'wrapped':<24}{c.wrapped:>9}",
            f"  {'changed concurrently':<24}{c.changed_concurrently:>9}   (left as the app wrote them; "
            f"{c.changed_legacy} still legacy)",
            f"  {'too long for column':<24}{c.too_long:>9}",
            f"  {'failed to wrap':<24}{c.failed:>9}",
            f"  {'unrecognised':<24}{c.unrecognised:>9}",
            f"  {'empty or NULL':<24}{c.histogram.get(EMPTY, 0):>9}",
        ]
        lines.append(
            f"  rate {self.rate:.1f} rows/s over {self.hashing_seconds:.1f} s "
            f"({self.wrapped_now} wrapped by this run)"
        )
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.counters.to_dict(),
            "scanned": self.counters.scanned,
            "unrecognised": self.counters.unrecognised,
            "wrapped_this_process": self.wrapped_now,
            "hashing_seconds": round(self.hashing_seconds, 3),
            "rows_per_second": round(self.rate, 2),
            "resumed": self.resumed,
            "complete": self.complete,
        }


__all__ = ["EXIT_DONE", "EXIT_LEFT_OVER", "Counters", "RunResult", "Survey", "histogram_lines"]
