"""Rules for the static half: Sentinel's plugin rules, and bandit's own tests as they report.

Sentinel's rules come from :mod:`sentinel_bandit.rules` with their documentation (each plugin
module's docstring). bandit's built-in tests describe themselves only through their results (test
ID, test name, CWE, a link to their page), so their rules are built from the first result of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from scanner.findings import Rule, Severity
from sentinel_bandit import RULES, documentation

BANDIT_DOCS = "https://bandit.readthedocs.io/en/latest/"


@dataclass(frozen=True, kw_only=True)
class RuleInfo:
    """A rule plus what SARIF shows about it: the documentation and a page to learn more."""

    rule: Rule
    help: str
    help_uri: str
    sentinel: bool


def severity(label: str) -> Severity:
    """bandit's ``LOW``/``MEDIUM``/``HIGH`` (``UNDEFINED`` is info)."""
    try:
        return Severity.parse(label)
    except ValueError:
        return Severity.INFO


@cache
def sentinel_rules() -> dict[str, RuleInfo]:
    return {
        r.id: RuleInfo(
            rule=Rule(id=r.id, name=r.name, cwe=r.cwe, severity=severity(r.severity), summary=r.summary),
            help=documentation(r),
            help_uri=f"https://cwe.mitre.org/data/definitions/{r.cwe}.html",
            sentinel=True,
        )
        for r in RULES
    }


def bandit_rule(test_id: str, test_name: str, cwe: int, level: str, more_info: str) -> RuleInfo:
    """A bandit built-in test (or another plugin) as a rule, from one of its results."""
    if test_id in sentinel_rules():
        return sentinel_rules()[test_id]
    uri = more_info if more_info.startswith("https://") else BANDIT_DOCS
    summary = f"bandit {test_id} {test_name.replace('_', ' ')}"
    return RuleInfo(
        rule=Rule(id=test_id, name=test_name, cwe=cwe, severity=severity(level), summary=summary),
        help=f"{summary}. See {uri}",
        help_uri=uri,
        sentinel=False,
    )


__all__ = ["BANDIT_DOCS", "RuleInfo", "bandit_rule", "sentinel_rules", "severity"]
