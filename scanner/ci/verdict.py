"""One exit code for both halves: the same contract as ``sentinel scan`` (see :mod:`scanner.gate`).

- 2: either half is incomplete (bandit failed or skipped a file, a plugin did not load or crashed,
  the app did not start, the scan could not finish), whatever was found;
- 1: a finding at or above ``fail-on`` that is not suppressed by the baseline, or an expired
  baseline entry (never with ``fail-on = "never"``). A dynamic finding counts when it is
  *confirmed* (as in ``sentinel scan``); a static one when bandit's confidence reaches
  ``static-confidence`` (default medium);
- 0: otherwise.
"""

from __future__ import annotations

from scanner.ci.run import GateResult
from scanner.findings import Finding
from scanner.gate import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE, FailOn, gating_findings
from scanner.static.findings import StaticConfidence, StaticFinding, StaticResult


def static_gating(
    result: StaticResult, fail_on: FailOn, min_confidence: StaticConfidence
) -> list[StaticFinding]:
    if fail_on == "never":
        return []
    return [f for f in result.active_findings() if f.severity >= fail_on and f.confidence >= min_confidence]


def gating(result: GateResult) -> tuple[list[StaticFinding], list[Finding]]:
    config = result.config
    static = static_gating(result.static, config.fail_on, config.static_confidence) if result.static else []
    dynamic = gating_findings(result.dynamic, config.fail_on) if result.dynamic else []
    return static, dynamic


def gate_exit_code(result: GateResult) -> int:
    if not result.complete:
        return EXIT_INCOMPLETE
    if result.config.fail_on == "never":
        return EXIT_CLEAN
    static, dynamic = gating(result)
    return EXIT_FINDINGS if static or dynamic or result.baseline_problems else EXIT_CLEAN


__all__ = ["gate_exit_code", "gating", "static_gating"]
