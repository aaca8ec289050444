"""``sentinel scan`` and ``sentinel demo`` through the real CLI entry point: exit codes and messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from sentinel import cli
from tests.scanner.test_reports import sarif_schema
from tests.support.servers import free_port, serve


def main(*argv: str) -> int:
    return cli.main(list(argv))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "BASE_URL is required"),
        (("http://127.0.0.1:1/", "--fail-on", "severe"), "--fail-on: unknown severity"),
        (("http://127.0.0.1:1/", "--checks", "nope"), "unknown check 'nope'"),
        (("ftp://x/",), "must be an absolute http:// or https:// URL"),
        (("http://127.0.0.1:1/", "--max-rps", "0"), "--max-rps must be in (0, 1000]"),
        (
            ("http://127.0.0.1:1/", "--login-url", "/l", "--username", "u", "--password-env", "NOPE_UNSET"),
            "not set",
        ),
        (("http://127.0.0.1:1/", "--username", "u"), "need --login-url"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    argv: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main("scan", *argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_unreachable_target_is_an_incomplete_scan(capsys: pytest.CaptureFixture[str]) -> None:
    code = main("scan", f"http://127.0.0.1:{free_port()}/", "--format", "json", "--timeout", "2")
    out = capsys.readouterr()
    assert code == 2
    report = json.loads(out.out)
    assert report["complete"] is False and "did not answer" in report["incomplete_reasons"][0]
    assert "INCOMPLETE" in out.err
    # Not a TTY: progress is one plain line per phase on stderr, never on stdout (the report).
    assert "sentinel scan: reaching the target (0/3000 requests, 0 findings" in out.err


def test_progress_is_live_on_a_tty_and_plain_elsewhere() -> None:
    import io

    from scanner.progress import PlainLines, RichLive, for_stream

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(for_stream(io.StringIO()), PlainLines)
    terminal = Terminal()
    live = for_stream(terminal)
    assert isinstance(live, RichLive)
    with live:
        live.phase("check xxe")
        live.request(12, 3000)
        live.findings(2)


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("scan", "--list-checks") == 0
    assert "SNT114  login-brute-force" in capsys.readouterr().out


@pytest.mark.e2e
def test_sarif_gate_and_baseline_over_real_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PW", "correct horse battery staple")
    login = [
        "--login-url",
        "/login",
        "--username",
        "alice",
        "--password-env",
        "DEMO_PW",
        "--logout-url",
        "/logout",
    ]
    sarif = tmp_path / "scan.sarif"
    with serve("examples.vulnerable_sessions:app") as url:
        common = [url, *login, "--max-rps", "200", "--checks", "session-fixation,cookie-flags"]
        assert main("scan", *common, "--format", "sarif", "--output", str(sarif)) == 1
        document = json.loads(sarif.read_text())
        jsonschema.Draft4Validator(sarif_schema()).validate(document)
        results = document["runs"][0]["results"]
        fixation = next(r for r in results if r["ruleId"] == "SNT103")
        baseline = tmp_path / "baseline.json"
        entry = {"fingerprint": fixation["partialFingerprints"]["sentinelFinding/v1"], "reason": "demo app"}
        baseline.write_text(json.dumps({"version": 1, "suppressions": [entry]}))
        assert (
            main(
                "scan",
                *common,
                "--fail-on",
                "high",
                "--baseline",
                str(baseline),
                "--format",
                "sarif",
                "--output",
                str(sarif),
            )
            == 0
        )
        suppressed = [r for r in json.loads(sarif.read_text())["runs"][0]["results"] if r.get("suppressions")]
        assert [r["ruleId"] for r in suppressed] == ["SNT103"]
        assert (
            main(
                "scan",
                *common,
                "--fail-on",
                "medium",
                "--baseline",
                str(baseline),
                "--format",
                "json",
                "--output",
                str(tmp_path / "r.json"),
            )
            == 1
        )  # HttpOnly (medium, confirmed) still counts
    with serve("examples.app:app") as url:
        checks = "session-fixation,session-adoption,session-valid-after-logout"
        assert (
            main(
                "scan",
                url,
                *login,
                "--max-rps",
                "200",
                "--checks",
                checks,
                "--format",
                "junit",
                "--output",
                str(tmp_path / "j.xml"),
            )
            == 0
        )


@pytest.mark.e2e
def test_demo_scans_both_apps_and_writes_the_html_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTINEL_SECRET_KEYS", "test-only-signing-key-0123456789-abcdefghijklmnop")
    report = tmp_path / "demo.html"
    assert main("demo", "--output", str(report)) == 0
    out = capsys.readouterr().out
    assert "SNT103 session-fixation" in out and "FOUND high" in out and "pass" in out
    assert f"HTML report: {report.resolve()}" in out
    html = report.read_text()
    assert html.count("<h2>") == 2 and "SNT104" in html
    assert (
        "Vulnerable</span> examples/vulnerable_sessions.py" in html
        and "Hardened</span> examples/app.py" in html
    )
    links = set(re.findall(r"<a href='([^']+)'>", html))
    assert links and all((report.parent / link).is_file() for link in links)  # relative to the report


def test_demo_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("demo", "--host", "0.0.0.0") == 2
    assert "not loopback" in capsys.readouterr().err
