"""The outcome of a scan: findings, what each check did, and how the scan behaved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from scanner.findings import Finding, Rule

CheckStatus = Literal["passed", "failed", "skipped", "error", "not run"]


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """One check's outcome. ``skipped`` and ``error`` always carry a reason; nothing is silent."""

    name: str
    status: CheckStatus
    rules: tuple[str, ...]
    reason: str = ""
    findings: int = 0
    #: Insertion points the check tested, and those refused before reaching the app (401, 403, 405,
    #: 415, 429); ``None`` for checks that do not work on insertion points.
    points_tested: int | None = None
    points_refused: int | None = None

    @property
    def summary(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason else self.status


@dataclass(frozen=True, kw_only=True)
class ScanStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    pages: int = 0
    endpoints: int = 0
    duration_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class ScanResult:
    """Everything formatters and the gate need. Findings are sorted; times are UTC."""

    target: str
    started: dt.datetime
    finished: dt.datetime
    scanner_version: str
    findings: tuple[Finding, ...]
    checks: tuple[CheckResult, ...]
    rules: tuple[Rule, ...]
    notes: tuple[str, ...] = ()
    incomplete: tuple[str, ...] = ()
    stats: ScanStats = field(default_factory=ScanStats)
    #: Set by the baseline: entries that expired (each fails the gate).
    baseline_problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.incomplete

    def active_findings(self) -> list[Finding]:
        """Findings not suppressed by the baseline."""
        return [f for f in self.findings if f.suppression is None]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    """``2025-01-31T12:00:00Z``: UTC, second precision, for deterministic reports."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["CheckResult", "CheckStatus", "ScanResult", "ScanStats", "iso", "utc_now"]
