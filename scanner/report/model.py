"""One plain-data view of a result, shared by the JSON and HTML formatters (and the console)."""

from __future__ import annotations

from typing import Any

from scanner.findings import Finding
from scanner.result import ScanResult, iso

SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    suppression = finding.suppression
    return {
        "rule_id": finding.rule.id,
        "rule": finding.rule.name,
        "cwe": finding.rule.cwe_id,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "method": finding.method,
        "url": finding.url,
        "location": finding.location,
        "parameter": finding.parameter,
        "message": finding.message,
        "fingerprint": finding.fingerprint,
        "evidence": [
            {"note": e.note, "request": e.request, "response": e.response} for e in finding.evidence
        ],
        "suppressed": None
        if suppression is None
        else {
            "reason": suppression.reason,
            "expires": suppression.expires.isoformat() if suppression.expires else None,
        },
    }


def result_dict(result: ScanResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "scanner": {"name": "sentinel-scan", "version": result.scanner_version},
        "target": result.target,
        "started": iso(result.started),
        "finished": iso(result.finished),
        "complete": result.complete,
        "incomplete_reasons": list(result.incomplete),
        "baseline_problems": list(result.baseline_problems),
        "notes": list(result.notes),
        "stats": {
            "requests": result.stats.requests,
            "retries": result.stats.retries,
            "throttled": result.stats.throttled,
            "pages": result.stats.pages,
            "endpoints": result.stats.endpoints,
            "duration_s": result.stats.duration_s,
        },
        "checks": [
            {
                "name": c.name,
                "status": c.status,
                "reason": c.reason,
                "rules": list(c.rules),
                "findings": c.findings,
                "points_tested": c.points_tested,
                "points_refused": c.points_refused,
            }
            for c in result.checks
        ],
        "findings": [finding_dict(f) for f in result.findings],
    }


__all__ = ["SCHEMA_VERSION", "finding_dict", "result_dict"]
