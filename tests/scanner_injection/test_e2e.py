"""End to end over real HTTP (uvicorn on 127.0.0.1): every flaw planted in
examples/vulnerable_injection.py is found with the right rule, CWE, method, path and parameter, and
confirmed; nothing else is reported there; the bait app shows nothing at all."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from scanner import Confidence, Severity, exit_code, render
from tests.scanner_injection.conftest import INJECTION_CHECKS, Served

pytestmark = pytest.mark.e2e

#: Ground truth from the example's docstring: flaw -> (rule, CWE, method, path, parameter).
PLANTED = {
    "I1 SQL error-based": ("SNT201", 89, "GET", "/products", "q"),
    "I2 SQL boolean, path segment": ("SNT201", 89, "GET", "/api/items/1", "item_id"),
    "I3 SQL error-based, JSON field": ("SNT201", 89, "POST", "/api/orders", "customer"),
    "I4 SQL time-based": ("SNT201", 89, "POST", "/track", "ref"),
    "I5 SQL in a header": ("SNT201", 89, "GET", "/api/reports", "header:X-Tenant"),
    "I6 XXE, XML body": ("SNT202", 611, "POST", "/api/import", "(xml body)"),
    "I7 XXE, form field": ("SNT202", 611, "POST", "/import-form", "document"),
    "I8 XXE, JSON string": ("SNT202", 611, "POST", "/api/feeds", "xml"),
    "I9 format string": ("SNT203", 134, "GET", "/greet", "name"),
    "I10 eval": ("SNT204", 95, "GET", "/calc", "expr"),
    "I11 XPath boolean": ("SNT205", 643, "GET", "/directory", "name"),
    "I12 template injection": ("SNT206", 1336, "POST", "/preview", "title"),
    "I13 reflected XSS": ("SNT207", 79, "GET", "/search", "term"),
}
#: Template source is never escaped, so I12 is a reflected XSS as well: a true finding, expected.
ALSO_TRUE = {("SNT207", 79, "POST", "/preview", "title")}


def _where(served: Served) -> set[tuple[str, int, str, str, str | None]]:
    return {
        (f.rule.id, f.rule.cwe, f.method, urlsplit(f.url).path, f.parameter) for f in served.result.findings
    }


@pytest.mark.parametrize("flaw", sorted(PLANTED))
def test_every_planted_flaw_is_found_at_level_2(vulnerable_level2: Served, flaw: str) -> None:
    assert vulnerable_level2.result.complete, vulnerable_level2.result.incomplete
    assert PLANTED[flaw] in _where(vulnerable_level2)


def test_nothing_else_is_reported_on_the_vulnerable_app(vulnerable_level2: Served) -> None:
    # The bound 'status' field next to the vulnerable 'customer', the safe parameters of the flawed
    # endpoints: none of them may show up.
    assert _where(vulnerable_level2) == set(PLANTED.values()) | ALSO_TRUE


def test_findings_are_confirmed_with_evidence(vulnerable_level2: Served) -> None:
    for finding in vulnerable_level2.result.findings:
        assert finding.confidence is Confidence.CONFIRMED, finding
        assert finding.evidence, finding
        assert all(e.request and e.response for e in finding.evidence), finding
    messages = {f.parameter: f.message for f in vulnerable_level2.result.findings if f.rule.id == "SNT201"}
    assert messages["q"].startswith("error-based")
    assert messages["item_id"].startswith("boolean-based")
    assert messages["ref"].startswith("time-based")
    template = next(f for f in vulnerable_level2.result.findings if f.rule.id == "SNT206")
    assert "Jinja2" in template.message


def test_level_1_finds_every_planted_flaw_time_based_included(vulnerable_level1: Served) -> None:
    # Issue #13: level 1 runs time-based SQL in one context where the cheaper techniques saw
    # nothing, so the time-only flaw is found at the CI default too; the bound covers that, the
    # blind differentials and the five new payload checks (it was 600 before them).
    result = vulnerable_level1.result
    assert result.complete, result.incomplete
    assert _where(vulnerable_level1) == set(PLANTED.values()) | ALSO_TRUE
    assert result.stats.requests < 1000  # level 1 is still the cheap CI default


def test_the_vulnerable_app_fails_the_gate_in_every_format(vulnerable_level2: Served) -> None:
    result = vulnerable_level2.result
    assert exit_code(result) == 1
    sarif = json.loads(render(result, "sarif"))
    tags = {tag for rule in sarif["runs"][0]["tool"]["driver"]["rules"] for tag in rule["properties"]["tags"]}
    assert {"external/cwe/cwe-89", "external/cwe/cwe-611", "external/cwe/cwe-1336"} <= tags
    for name in ("console", "json", "junit", "html"):
        assert "SNT201" in render(result, name)


@pytest.mark.slow
@pytest.mark.timeout(400)  # a level-3 scan of every payload check (the fixture's time counts here)
def test_bait_app_shows_nothing(bait_scan: Served) -> None:
    result = bait_scan.result
    assert result.complete, result.incomplete
    assert [f for f in result.findings if f.severity >= Severity.MEDIUM] == []
    assert result.findings == ()
    statuses = {c.name: c.status for c in result.checks if c.name in INJECTION_CHECKS}
    assert statuses == dict.fromkeys(INJECTION_CHECKS, "passed")
    assert exit_code(result) == 0
    assert not any("refused" in note for note in result.notes)
