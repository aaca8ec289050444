"""``sentinel gate`` on source code: the static half end to end (bandit in its own process, the
plugins through their entry points), its exit codes, its reports, and the configuration."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sentinel_bandit.rules import RULES
from tests.gate.conftest import FIXTURES, Gate, make_project, valid_sarif

ALL_SENTINEL_RULES = {r.id for r in RULES}


def test_bad_sources_fail_with_every_plugin_and_valid_reports(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, sources="bad", table='paths = ["src"]\n')
    sarif, junit = tmp_path / "out" / "gate.sarif", tmp_path / "out" / "gate.xml"
    run = gate("--config", pyproject, "--sarif", sarif, "--junit", junit)
    assert run.code == 1, run.out + run.err
    document = valid_sarif(sarif)
    [bandit] = document["runs"]
    assert bandit["tool"]["driver"]["name"] == "bandit"
    assert bandit["invocations"][0]["executionSuccessful"] is True
    results = bandit["results"]
    assert {r["ruleId"] for r in results if r["ruleId"].startswith("SNT")} == ALL_SENTINEL_RULES
    # every finding points at the marked line of the fixture, relative to the project root
    for result in (r for r in results if r["ruleId"].startswith("SNT")):
        location = result["locations"][0]["physicalLocation"]
        uri, line = location["artifactLocation"]["uri"], location["region"]["startLine"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        source = (tmp_path / uri).read_text().splitlines()[line - 1]
        assert f"# {result['ruleId']}" in source, (uri, line, source)
        assert len(result["partialFingerprints"]["sentinelStatic/v1"]) == 32
    rules = {r["id"]: r for r in bandit["tool"]["driver"]["rules"]}
    assert "external/cwe/cwe-384" in rules["SNT902"]["properties"]["tags"]
    assert rules["SNT902"]["help"]["text"].startswith("SNT902 session-not-rotated-at-login")
    suite = ET.parse(junit).getroot()  # noqa: S314 - our own report
    assert suite.tag == "testsuites" and int(suite.get("failures", "0")) >= 10
    assert "SNT909" in run.out and "gate: FAILED, exit 1" in run.out


def test_good_sources_pass(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, sources="good", table='paths = ["src"]\n')
    sarif = tmp_path / "gate.sarif"
    run = gate("--config", pyproject, "--sarif", sarif)
    assert run.code == 0, run.out + run.err
    results = valid_sarif(sarif)["runs"][0]["results"]
    assert [r for r in results if r["ruleId"].startswith("SNT")] == []
    assert "gate: passed, exit 0" in run.out


def test_thresholds_decide_what_gates(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, table='paths = ["src"]\n')
    (tmp_path / "src").mkdir()
    # one high-severity, medium-confidence finding (the rotation heuristic), nothing else
    (tmp_path / "src" / "views.py").write_text(
        "async def login(request):\n    request.session['user'] = 1\n", encoding="utf-8"
    )
    assert gate("--config", pyproject).code == 1
    assert gate("--config", pyproject, "--static-confidence", "high").code == 0
    assert gate("--config", pyproject, "--fail-on", "critical").code == 0
    assert gate("--config", pyproject, "--fail-on", "never").code == 0
    assert gate("--config", pyproject, "--fail-on", "medium").code == 1


def test_a_file_bandit_cannot_parse_makes_the_run_incomplete(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, sources="good", table='paths = ["src"]\n')
    (tmp_path / "src" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    sarif = tmp_path / "gate.sarif"
    run = gate("--config", pyproject, "--sarif", sarif, "--fail-on", "never")
    assert run.code == 2, run.out
    invocation = valid_sarif(sarif)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any("broken.py" in n["message"]["text"] for n in invocation["toolExecutionNotifications"])


def test_nothing_scanned_is_incomplete_not_clean(gate: Gate) -> None:
    """Our own [tool.bandit] excludes "tests" by substring: the fixtures are then not scanned at all,
    and a scan of nothing must not pass."""
    run = gate(FIXTURES / "bad", "--static-only")
    assert run.code == 2
    assert "scanned no Python file" in run.out


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('paths = ["src"]\nfail_on = "high"\n', "unknown key 'fail_on'"),
        ('paths = "src"\n', "paths must be a list of strings"),
        (
            'app = "x:app"\n[tool.sentinel.login]\nurl = "/login"\npassword = "hunter2"\n',
            "never put a password",
        ),
        (
            'app = "x:app"\n[tool.sentinel.login]\nurl = "/l"\npassword-env = "SENTINEL_TEST_UNSET_VAR"\n',
            "is not set",
        ),
        ('paths = ["src"]\nnew-only = true\n', "--new-only compares against a baseline"),
        ('url = "http://127.0.0.1:1/"\napp = "x:app"\n', "url or app, not both"),
        ('app = "not an import string"\n', "must be an import string"),
        ('paths = ["src"]\nfail-on = "severe"\n', "unknown severity"),
        ("", "nothing to check"),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(
    gate: Gate, tmp_path: Path, table: str, message: str
) -> None:
    pyproject = make_project(tmp_path, table=table)
    run = gate("--config", pyproject)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err and "hunter2" not in run.err


def test_flags_override_the_file(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, sources="bad", table='paths = ["src"]\nfail-on = "never"\n')
    assert gate("--config", pyproject).code == 0
    assert gate("--config", pyproject, "--fail-on", "high").code == 1
    # positional paths replace the file's paths
    good = tmp_path / "clean"
    good.mkdir()
    (good / "ok.py").write_text("VALUE = 1\n", encoding="utf-8")
    assert gate("--config", pyproject, "--fail-on", "high", good).code == 0


def test_our_own_configuration_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner import Severity
    from scanner.ci.config import build_config, read_table

    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("SENTINEL_GATE_PASSWORD", "correct horse battery staple")
    config = build_config(read_table(root / "pyproject.toml"), {}, root=root)
    assert config.static is not None and set(config.static.paths) >= {"sentinel", "scanner"}
    assert config.app == "examples.app:app" and config.fail_on is Severity.HIGH
    assert config.login is not None and config.login.has_credentials
