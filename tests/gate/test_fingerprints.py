"""Static fingerprints: stable across moves and re-indentation, distinct per occurrence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scanner.static import StaticConfidence, StaticFinding, parse_report, static_fingerprint
from scanner.static.findings import number_occurrences
from scanner.static.rules import sentinel_rules

RULE = sentinel_rules()["SNT904"].rule


def _finding(line: int, code: str, path: str = "app/auth.py") -> StaticFinding:
    return StaticFinding(
        rule=RULE,
        severity=RULE.severity,
        confidence=StaticConfidence.MEDIUM,
        path=path,
        line=line,
        end_line=line,
        code=code,
        message="m",
    )


def test_line_and_indentation_do_not_change_it() -> None:
    a = _finding(10, "digest = hashlib.md5(password).hexdigest()")
    b = _finding(99, "        digest  =  hashlib.md5(password).hexdigest()")
    assert a.fingerprint == b.fingerprint


def test_rule_path_and_code_do() -> None:
    base = _finding(10, "hashlib.md5(password)")
    assert base.fingerprint != _finding(10, "hashlib.sha1(password)").fingerprint
    assert base.fingerprint != _finding(10, "hashlib.md5(password)", path="app/other.py").fingerprint
    assert static_fingerprint("SNT903", "a.py", "x", 0) != static_fingerprint("SNT904", "a.py", "x", 0)


def test_copies_are_counted_in_line_order() -> None:
    numbered = number_occurrences([_finding(30, "md5(pw)"), _finding(5, "md5(pw)"), _finding(9, "other(pw)")])
    by_line = {f.line: f for f in numbered}
    assert (by_line[5].occurrence, by_line[30].occurrence, by_line[9].occurrence) == (0, 1, 0)
    assert len({f.fingerprint for f in numbered}) == 3


def test_bandit_report_parsing(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("import hashlib\n\nh = hashlib.md5(password)\n")
    report = {
        "errors": [{"filename": "pkg/bad.py", "reason": "syntax error while parsing AST from file"}],
        "metrics": {"pkg/m.py": {"loc": 2}, "_totals": {"loc": 2, "nosec": 1}},
        "results": [
            {
                "filename": "./pkg/m.py",
                "test_id": "B324",
                "test_name": "hashlib",
                "issue_severity": "HIGH",
                "issue_confidence": "HIGH",
                "issue_cwe": {"id": 327},
                "issue_text": "Use of weak MD5 hash for security.",
                "line_number": 3,
                "line_range": [3],
                "more_info": "https://bandit.readthedocs.io/en/1.9.4/plugins/b324_hashlib.html",
            }
        ],
    }
    started = dt.datetime(2025, 1, 31, tzinfo=dt.UTC)
    result = parse_report(report, root=tmp_path, paths=("pkg",), bandit_version="1.9.4", started=started)
    [finding] = result.findings
    assert (finding.path, finding.line, finding.code) == ("pkg/m.py", 3, "h = hashlib.md5(password)")
    assert finding.rule.cwe == 327 and finding.confidence is StaticConfidence.HIGH
    assert not result.complete and "pkg/bad.py" in result.errors[0]
    info = {i.rule.id: i for i in result.rules}["B324"]
    assert info.help_uri.endswith("b324_hashlib.html") and not info.sentinel
    assert {i.rule.id for i in result.rules} >= set(sentinel_rules())
