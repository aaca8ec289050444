"""The static half as one JUnit ``<testsuite>``: what ran, what failed, and whether bandit finished.

One test case per Sentinel rule (passed, or failed with its findings), one per bandit test that
reported (failed), one ``bandit built-in tests`` case that passes when none did, and a
``static-complete`` case that errors when the run was incomplete or a baseline entry expired, so a
broken run never shows green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405  # builds XML, never parses it

from scanner.result import iso
from scanner.static.findings import StaticFinding, StaticResult


def _failure(case: ET.Element, findings: list[StaticFinding]) -> None:
    failure = ET.SubElement(case, "failure", message=f"{len(findings)} finding(s)", type=findings[0].rule.id)
    failure.text = "\n".join(
        f"[{f.severity.label}/{f.confidence.label}] {f.rule.id} {f.location}: {f.message} "
        f"[fingerprint {f.fingerprint}]"
        for f in findings
    )


def static_junit_suite(result: StaticResult) -> ET.Element:
    active = result.active_findings()
    duration = (result.finished - result.started).total_seconds()
    suite = ET.Element("testsuite", name="bandit", timestamp=iso(result.started), time=f"{duration:.2f}")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    sentinel_ids = sorted(i.rule.id for i in result.rules if i.sentinel)
    reported = sorted({f.rule.id for f in active} - set(sentinel_ids))
    for rule_id in [*sentinel_ids, *reported]:
        info = next((i for i in result.rules if i.rule.id == rule_id), None)
        name = f"{rule_id} {info.rule.name}" if info else rule_id
        case = ET.SubElement(suite, "testcase", classname="sentinel.static", name=name)
        counts["tests"] += 1
        mine = [f for f in active if f.rule.id == rule_id]
        if not result.complete:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message="bandit did not finish; see static-complete")
        elif mine:
            counts["failures"] += 1
            _failure(case, mine)
    if not reported:
        counts["tests"] += 1
        ET.SubElement(suite, "testcase", classname="sentinel.static", name="bandit built-in tests")
    if not result.complete or result.baseline_problems:
        counts["tests"] += 1
        counts["errors"] += 1
        case = ET.SubElement(suite, "testcase", classname="sentinel.static", name="static-complete")
        ET.SubElement(case, "error", message="; ".join((*result.errors, *result.baseline_problems)))
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


__all__ = ["static_junit_suite"]
