"""The exit code: the contract CI relies on.

- 0: nothing at or above ``--fail-on`` (default ``high``), counting *confirmed*, unsuppressed findings;
- 1: at least one such finding, or an expired baseline entry (never with ``--fail-on never``);
- 2: a usage or configuration error, or an incomplete scan (unreachable target, failed login,
  exhausted budget, a check that errored), whatever was found: silence from a broken scan proves
  nothing, so it must not pass.
"""

from __future__ import annotations

from typing import Literal

from scanner.findings import Confidence, Finding, Severity
from scanner.result import ScanResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_INCOMPLETE = 2
FailOn = Severity | Literal["never"]
DEFAULT_FAIL_ON: FailOn = Severity.HIGH


def parse_fail_on(text: str) -> FailOn:
    return "never" if text.strip().lower() == "never" else Severity.parse(text)


def gating_findings(
    result: ScanResult, fail_on: FailOn, *, min_confidence: Confidence = Confidence.CONFIRMED
) -> list[Finding]:
    """The findings that fail the gate."""
    if fail_on == "never":
        return []
    return [f for f in result.active_findings() if f.severity >= fail_on and f.confidence >= min_confidence]


def exit_code(result: ScanResult, fail_on: FailOn = DEFAULT_FAIL_ON) -> int:
    if not result.complete:
        return EXIT_INCOMPLETE
    if fail_on != "never" and (gating_findings(result, fail_on) or result.baseline_problems):
        return EXIT_FINDINGS
    return EXIT_CLEAN


__all__ = [
    "DEFAULT_FAIL_ON",
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INCOMPLETE",
    "FailOn",
    "exit_code",
    "gating_findings",
    "parse_fail_on",
]
