"""End to end over real HTTP: every flaw planted in examples/vulnerable_web.py is found, confirmed,
with its rule, CWE, method, path and parameter, and nothing else; its safe twin examples/bait_web.py
shows nothing at all at level 2; CRLF injection on an ``http.server`` app and not on its clean twin."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest

from scanner import Confidence, Severity, run_scan
from tests.scanner_checks.crlf_apps import serve_crlf
from tests.scanner_injection.conftest import Served, config

pytestmark = pytest.mark.e2e

#: Ground truth from the example's docstring: flaw -> (rule, CWE, method, path, parameter).
PLANTED = {
    "W1 command injection, output": ("SNT208", 78, "GET", "/dns", "host"),
    "W2 command injection, blind": ("SNT208", 78, "POST", "/notify", "email"),
    "W3 path traversal": ("SNT209", 22, "GET", "/download", "file"),
    "W4 open redirect": ("SNT211", 601, "GET", "/go", "next"),
    "W5 CSRF, profile": ("SNT212", 352, "POST", "/profile", None),
    "W6 anti-framing": ("SNT213", 1021, "GET", "/", None),
    "W6 nosniff": ("SNT214", 693, "GET", "/", None),
    "W7 stored XSS": ("SNT215", 79, "POST", "/guestbook", "message"),
}
#: The guestbook and the newsletter forms have no token either: CSRF on them is as true as on W5.
ALSO_TRUE = {("SNT212", 352, "POST", "/guestbook", None), ("SNT212", 352, "POST", "/notify", None)}


def _where(served: Served) -> set[tuple[str, int, str, str, str | None]]:
    return {
        (f.rule.id, f.rule.cwe, f.method, urlsplit(f.url).path or "/", f.parameter)
        for f in served.result.findings
    }


@pytest.mark.parametrize("flaw", sorted(PLANTED))
def test_every_planted_web_flaw_is_found_at_level_1(web_level1: Served, flaw: str) -> None:
    assert web_level1.result.complete, web_level1.result.incomplete
    assert PLANTED[flaw] in _where(web_level1)


def test_nothing_else_is_reported_on_the_vulnerable_web_app(web_level1: Served) -> None:
    assert _where(web_level1) == set(PLANTED.values()) | ALSO_TRUE


def test_web_findings_carry_their_evidence(web_level1: Served) -> None:
    by_rule = {f.rule.id: f for f in web_level1.result.findings}
    for finding in web_level1.result.findings:
        assert finding.evidence, finding
        expected = Confidence.FIRM if finding.rule.id == "SNT212" else Confidence.CONFIRMED
        assert finding.confidence is expected, finding
    assert "/guestbook" in by_rule["SNT215"].message  # where it was submitted and where it shows
    assert by_rule["SNT213"].severity is Severity.LOW and "of" in by_rule["SNT213"].message
    messages = {f.message for f in web_level1.result.findings if f.rule.id == "SNT208"}
    assert any(m.startswith("time-based") for m in messages)  # W2 only shows in time
    assert any(m.startswith("OS command injection") for m in messages)
    redirect = by_rule["SNT211"].evidence[0].response or ""
    assert ".invalid" in redirect  # the canary host, never followed


def test_the_safe_twin_shows_nothing(bait_web_level2: Served) -> None:
    result = bait_web_level2.result
    assert result.complete, result.incomplete
    assert result.findings == ()
    statuses = {c.name: c.status for c in result.checks}
    for name in ("command-injection", "path-traversal", "open-redirect", "crlf-injection", "csrf"):
        assert statuses[name] == "passed", (name, statuses[name])
    assert statuses["stored-xss"] == "passed"
    details = {c.name: c.reason for c in result.checks}
    # Not vacuous: the multiplying page did bring the product back, and the control cleared it.
    assert "also came back from the inert control" in details["command-injection"]
    assert "protected" in details["csrf"]


@pytest.mark.parametrize("clean", [False, True])
def test_crlf_injection_on_a_stdlib_server(clean: bool) -> None:
    with serve_crlf(clean=clean) as url:
        result = asyncio.run(run_scan(config(url, level=2, checks=frozenset({"crlf-injection"}))))
    assert result.complete, result.incomplete
    found = {(f.rule.id, urlsplit(f.url).path, f.parameter) for f in result.findings}
    assert found == (set() if clean else {("SNT210", "/lang", "set")})
