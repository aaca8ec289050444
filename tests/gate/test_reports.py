"""The gate's reports for a fixed result: golden files (deterministic bytes), the schema, JUnit."""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from scanner import CheckResult, Confidence, Evidence, Finding, Rule, ScanResult, ScanStats, Severity
from scanner.ci import GateResult, gate_exit_code, merged_sarif, render_console, render_junit, render_sarif
from scanner.ci.config import GateConfig
from scanner.static import StaticSettings, parse_report
from tests.gate.conftest import sarif_schema

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SENTINEL_UPDATE_GOLDEN") == "1"
T0 = dt.datetime(2025, 1, 31, 12, 0, 0, tzinfo=dt.UTC)


#: A made-up dynamic rule, so that no check's documentation can change these bytes.
RULE = Rule(id="SNT190", name="sample-check", cwe=384, severity=Severity.HIGH, summary="a sample rule")


def dynamic_result() -> ScanResult:
    finding = Finding(
        rule=RULE,
        severity=Severity.HIGH,
        confidence=Confidence.CONFIRMED,
        method="POST",
        url="http://127.0.0.1:8000/login?next=/",
        parameter="sid",
        message="the pre-login session ID authenticates after login",
        evidence=(Evidence(note="GET /me answers 200 to the old ID"),),
    )
    return ScanResult(
        target="http://127.0.0.1:8000/",
        started=T0,
        finished=T0 + dt.timedelta(seconds=7),
        scanner_version="0.0.0",
        findings=(finding,),
        checks=(CheckResult(name="sample-check", status="failed", rules=("SNT190",), findings=1),),
        rules=(RULE,),
        notes=("the gate served examples.app:app at http://127.0.0.1:8000/",),
        stats=ScanStats(requests=42, pages=3, endpoints=4, duration_s=7.0),
    )


def fixed_result(root: Path) -> GateResult:
    (root / "app").mkdir()
    (root / "app" / "auth.py").write_text(
        "import hashlib\n\n\ndef store(password):\n    return hashlib.md5(password).hexdigest()\n"
    )
    report = {
        "errors": [],
        "metrics": {"app/auth.py": {"loc": 4}, "_totals": {"loc": 4, "nosec": 0}},
        "results": [
            {
                "filename": "app/auth.py",
                "test_id": test_id,
                "test_name": name,
                "issue_severity": "HIGH",
                "issue_confidence": confidence,
                "issue_cwe": {"id": cwe},
                "issue_text": text,
                "line_number": 5,
                "line_range": [5],
                "more_info": "https://bandit.readthedocs.io/en/1.9.4/plugins/b324_hashlib.html",
            }
            for test_id, name, confidence, cwe, text in (
                ("B324", "hashlib", "HIGH", 327, "Use of weak MD5 hash for security."),
                (
                    "SNT904",
                    "sentinel_fast_password_hash",
                    "MEDIUM",
                    916,
                    "fast hash md5 applied to a password",
                ),
            )
        ],
    }
    static = parse_report(report, root=root, paths=("app",), bandit_version="1.9.4", started=T0)
    static = replace(static, finished=T0 + dt.timedelta(seconds=3), plugins_version="0.0.0")
    dynamic = dynamic_result()
    config = GateConfig(root=root, static=StaticSettings(root=root, paths=("app",)), app="examples.app:app")
    return GateResult(config=config, static=static, dynamic=dynamic)


@pytest.mark.parametrize(
    ("name", "render"),
    [("gate.sarif", render_sarif), ("gate.junit.xml", render_junit), ("gate.console", render_console)],
)
def test_golden(tmp_path: Path, name: str, render: object) -> None:
    assert callable(render)
    text = render(fixed_result(tmp_path))
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_merged_sarif_is_valid_and_has_one_run_per_half(tmp_path: Path) -> None:
    result = fixed_result(tmp_path)
    document = json.loads(render_sarif(result))
    jsonschema.Draft4Validator(sarif_schema()).validate(document)
    static, dynamic = document["runs"]
    assert (static["tool"]["driver"]["name"], dynamic["tool"]["driver"]["name"]) == (
        "bandit",
        "sentinel-scan",
    )
    assert static["tool"]["extensions"][0]["name"] == "sentinel-bandit"
    assert dynamic["originalUriBaseIds"] == {"TARGET": {"uri": "http://127.0.0.1:8000/"}}
    [location] = dynamic["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "login", "uriBaseId": "TARGET"}
    assert gate_exit_code(result) == 1


def test_junit_sums_both_suites(tmp_path: Path) -> None:
    root = ET.fromstring(render_junit(fixed_result(tmp_path)))  # noqa: S314 - our own output
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["bandit", "sentinel-scan"]
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in suites)
    failures = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert {"SNT904 fast-password-hash", "B324 hashlib", "sample-check [SNT190]"} <= set(failures)


def test_the_sarif_is_the_same_document_as_merged_sarif(tmp_path: Path) -> None:
    result = fixed_result(tmp_path)
    assert json.loads(render_sarif(result)) == merged_sarif(result)
