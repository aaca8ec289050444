"""The shared baseline, applied to the static half (the dynamic half uses :func:`scanner.apply_baseline`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from scanner.baseline import BaselineEntry, resolve_baseline
from scanner.static.findings import StaticResult


def apply_static_baseline(
    result: StaticResult,
    entries: list[BaselineEntry],
    *,
    today: dt.date | None = None,
    new_only: bool = False,
) -> StaticResult:
    """Mark suppressed findings; record expired entries as gate failures."""
    live, problems = resolve_baseline(entries, today=today, new_only=new_only)
    findings = tuple(
        replace(f, suppression=live[f.fingerprint]) if f.fingerprint in live else f for f in result.findings
    )
    return replace(result, findings=findings, baseline_problems=result.baseline_problems + problems)


__all__ = ["apply_static_baseline"]
