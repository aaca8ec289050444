"""SARIF 2.1.0 report, for GitHub code scanning and other SARIF consumers.

- ``runs[0].tool.driver.rules[]``: ``id``, ``name``, ``shortDescription``, ``fullDescription``,
  ``help`` (the check's documentation), ``helpUri``, ``defaultConfiguration.level`` and
  ``properties``: ``tags`` (``security``, ``external/cwe/cwe-<n>``) and ``security-severity``;
- ``results[]``: ``ruleId``, ``ruleIndex``, ``level``, ``message``, one location whose
  ``artifactLocation.uri`` is the endpoint URL without its query string, ``partialFingerprints``
  (stable across runs; baselines use the same value) and ``properties``: method, parameter, cwe,
  severity, confidence; baseline-accepted findings carry ``suppressions``;
- ``invocations[0]``: whether the scan completed, UTC start/end, and a notification per skipped or
  failed check and per note, so nothing the scan could not do is silent.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.checks._registry import registry
from scanner.findings import SECURITY_SEVERITY, Finding, Rule, Severity
from scanner.result import ScanResult, iso

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "sentinelFinding/v1"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def help_uri(rule: Rule) -> str:
    """The CWE entry: a stable public page for every rule (our own docs live in ``help``)."""
    return f"https://cwe.mitre.org/data/definitions/{rule.cwe}.html"


def _docs() -> dict[str, str]:
    return {r.id: spec.doc for spec in registry() for r in spec.rules}


def _rule(rule: Rule, docs: dict[str, str]) -> dict[str, Any]:
    doc = docs.get(rule.id, rule.summary)
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": doc, "markdown": doc},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", f"external/cwe/cwe-{rule.cwe}", "session"],
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": index[finding.rule.id],
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": finding.location}}}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "method": finding.method,
            "parameter": finding.parameter,
            "cwe": finding.rule.cwe_id,
            "severity": finding.severity.label,
            "confidence": finding.confidence.label,
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "evidence": [e.note for e in finding.evidence],
        },
    }
    if finding.suppression is not None:
        out["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.suppression.reason}
        ]
    return out


def sarif_document(result: ScanResult) -> dict[str, Any]:
    docs = _docs()
    rules = sorted(
        {r.id: r for r in (*result.rules, *(f.rule for f in result.findings))}.values(), key=lambda r: r.id
    )
    index = {r.id: i for i, r in enumerate(rules)}
    notifications = [
        {
            "level": "warning" if c.status in ("error", "not run") else "note",
            "message": {"text": f"{c.name}: {c.summary}"},
        }
        for c in result.checks
        if c.status in ("skipped", "error", "not run")
    ]
    notifications += [
        {"level": "error", "message": {"text": text}}
        for text in (*result.incomplete, *result.baseline_problems)
    ]
    notifications += [{"level": "note", "message": {"text": text}} for text in result.notes]
    run = {
        "tool": {
            "driver": {
                "name": "sentinel-scan",
                "version": result.scanner_version,
                "rules": [_rule(r, docs) for r in rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": result.complete,
                "startTimeUtc": iso(result.started),
                "endTimeUtc": iso(result.finished),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(f, index) for f in result.findings],
        "properties": {"target": result.target},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(result: ScanResult) -> str:
    return json.dumps(sarif_document(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


__all__ = ["FINGERPRINT_KEY", "SCHEMA_URI", "help_uri", "render_sarif", "sarif_document"]
