"""JUnit XML report: one test case per check, so CI dashboards show what ran, failed and was skipped.

A check with unsuppressed findings is a ``<failure>`` listing them; a skipped or not-run check is
``<skipped>`` with its reason; a check that errored is ``<error>``. An incomplete scan adds a
``scan-complete`` case that errors, so a broken scan never shows green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from scanner.result import ScanResult, iso


def render_junit(result: ScanResult) -> str:
    active = result.active_findings()
    suite = ET.Element(
        "testsuite",
        name="sentinel-scan",
        timestamp=iso(result.started),
        time=f"{result.stats.duration_s:.2f}",
    )
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for check in result.checks:
        counts["tests"] += 1
        case = ET.SubElement(
            suite, "testcase", classname="sentinel.scan", name=f"{check.name} [{', '.join(check.rules)}]"
        )
        mine = [f for f in active if f.rule.id in check.rules]
        if check.status == "error":
            counts["errors"] += 1
            ET.SubElement(case, "error", message=check.reason)
        elif check.status in ("skipped", "not run"):
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=check.summary)
        elif mine:
            counts["failures"] += 1
            failure = ET.SubElement(case, "failure", message=f"{len(mine)} finding(s)", type=mine[0].rule.id)
            failure.text = "\n".join(
                f"[{f.severity.label}/{f.confidence.label}] {f.rule.id} {f.rule.cwe_id} "
                f"{f.method} {f.location}"
                f" ({f.parameter or '-'}): {f.message} [fingerprint {f.fingerprint}]"
                for f in mine
            )
    if not result.complete or result.baseline_problems:
        counts["tests"] += 1
        counts["errors"] += 1
        case = ET.SubElement(suite, "testcase", classname="sentinel.scan", name="scan-complete")
        ET.SubElement(case, "error", message="; ".join((*result.incomplete, *result.baseline_problems)))
    for key, value in counts.items():
        suite.set(key, str(value))
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


__all__ = ["render_junit"]
