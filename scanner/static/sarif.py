"""The static half as one SARIF 2.1.0 run (``tool.driver`` bandit, Sentinel's plugins as an extension).

- ``tool.driver``: bandit and its version; ``rules[]`` for every Sentinel rule and every bandit test
  that reported, each with ``help`` (a Sentinel rule's full documentation), ``helpUri``,
  ``properties.tags`` (``security``, ``external/cwe/cwe-<n>``) and ``security-severity``;
  ``tool.extensions``: ``sentinel-bandit`` and its version;
- ``results[]``: a ``physicalLocation`` relative to ``%SRCROOT%`` (the repository root, as GitHub code
  scanning expects) with ``startLine``/``endLine`` and the flagged code as the snippet;
  ``partialFingerprints["sentinelStatic/v1"]`` (the baseline fingerprint); ``suppressions`` for
  baseline-accepted findings;
- ``invocations[0]``: whether bandit ran completely, UTC times, an error notification per problem.
"""

from __future__ import annotations

from typing import Any

from scanner.findings import SECURITY_SEVERITY, Rule, Severity
from scanner.result import iso
from scanner.static.findings import StaticFinding, StaticResult
from scanner.static.rules import RuleInfo

FINGERPRINT_KEY = "sentinelStatic/v1"
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _tags(rule: Rule, sentinel: bool) -> list[str]:
    tags = ["security"] + ([f"external/cwe/cwe-{rule.cwe}"] if rule.cwe else [])
    return tags + (["sentinel"] if sentinel else [])


def _rule(rule: Rule, info: RuleInfo | None) -> dict[str, Any]:
    doc = info.help if info else rule.summary
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": doc, "markdown": doc},
        "helpUri": info.help_uri if info else f"https://cwe.mitre.org/data/definitions/{rule.cwe}.html",
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": _tags(rule, info.sentinel if info else False),
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _result(finding: StaticFinding, index: dict[str, int]) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.line, "endLine": max(finding.end_line, finding.line)}
    if finding.code:
        region["snippet"] = {"text": finding.code}
    out: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": index[finding.rule.id],
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "cwe": finding.rule.cwe_id if finding.rule.cwe else None,
            "severity": finding.severity.label,
            "confidence": finding.confidence.label,
            "security-severity": SECURITY_SEVERITY[finding.severity],
        },
    }
    if finding.suppression is not None:
        out["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.suppression.reason}
        ]
    return out


def static_sarif_run(result: StaticResult) -> dict[str, Any]:
    """One SARIF run for ``result``."""
    known = {i.rule.id: i for i in result.rules}
    rules = sorted(
        {r.id: r for r in (*(i.rule for i in result.rules), *(f.rule for f in result.findings))}.values(),
        key=lambda r: r.id,
    )
    index = {r.id: i for i, r in enumerate(rules)}
    notifications = [
        {"level": "error", "message": {"text": text}} for text in (*result.errors, *result.baseline_problems)
    ]
    return {
        "tool": {
            "driver": {
                "name": "bandit",
                "version": result.bandit_version,
                "informationUri": "https://bandit.readthedocs.io/",
                "rules": [_rule(r, known.get(r.id)) for r in rules],
            },
            "extensions": [{"name": "sentinel-bandit", "version": result.plugins_version}],
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
        "properties": {"paths": list(result.paths), "files": result.files, "lines": result.lines},
    }


__all__ = ["FINGERPRINT_KEY", "LEVEL", "static_sarif_run"]
