"""What the static half reports: bandit's findings as frozen keyword-only values, with a fingerprint.

A static fingerprint must survive edits that do not touch the flaw: lines inserted above it,
re-indentation, a moved function. So it is built from the rule, the file path (relative to the
project root), a hash of the flagged code with its whitespace collapsed, and the finding's
*occurrence*: its rank among findings with the same rule, file and code, in line order. Two identical
``md5(password)`` lines in one file are two findings; adding a third makes a new fingerprint, so a
baseline never hides a copy of an old flaw. What changes it: renaming or moving the file, or editing
the flagged line itself (which is a new finding, as it should be).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field, replace

from scanner.findings import Rule, Severity, Suppression
from scanner.static.rules import RuleInfo

FINGERPRINT_VERSION = "static/v1"


class StaticConfidence(enum.IntEnum):
    """bandit's confidence: how sure the pattern is a real flaw (ordered for ``--static-confidence``)."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> StaticConfidence:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown confidence {text!r}: use low, medium or high") from None


def normalise_code(code: str) -> str:
    """The flagged code with every run of whitespace collapsed: indentation-proof."""
    return " ".join(code.split())


def static_fingerprint(rule_id: str, path: str, code: str, occurrence: int) -> str:
    code_hash = hashlib.sha256(normalise_code(code).encode()).hexdigest()
    key = "\x1f".join((FINGERPRINT_VERSION, rule_id, path, code_hash, str(occurrence)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True, kw_only=True)
class StaticFinding:
    """One bandit result. ``path`` is relative to the project root, with ``/`` separators."""

    rule: Rule
    severity: Severity
    confidence: StaticConfidence
    path: str
    line: int
    end_line: int
    code: str
    message: str
    occurrence: int = 0
    suppression: Suppression | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str:
        return static_fingerprint(self.rule.id, self.path, self.code, self.occurrence)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    def sort_key(self) -> tuple[int, str, str, int, str]:
        return (-int(self.severity), self.rule.id, self.path, self.line, self.fingerprint)


def number_occurrences(findings: list[StaticFinding]) -> list[StaticFinding]:
    """Set each finding's ``occurrence`` (see the module docstring); the input order is irrelevant."""

    seen: dict[tuple[str, str, str], int] = {}
    numbered = []
    for finding in sorted(findings, key=lambda f: (f.path, f.line, f.rule.id)):
        key = (finding.rule.id, finding.path, normalise_code(finding.code))
        numbered.append(replace(finding, occurrence=seen.get(key, 0)))
        seen[key] = seen.get(key, 0) + 1
    return sorted(numbered, key=StaticFinding.sort_key)


@dataclass(frozen=True, kw_only=True)
class StaticResult:
    """The static half's outcome. ``errors`` make it incomplete: a file bandit could not parse, a
    plugin that crashed or did not load, a timeout. Silence from a broken run proves nothing."""

    started: dt.datetime
    finished: dt.datetime
    bandit_version: str
    plugins_version: str
    paths: tuple[str, ...]
    files: int
    lines: int
    findings: tuple[StaticFinding, ...]
    #: Every Sentinel rule, plus each bandit test that reported; with their documentation.
    rules: tuple[RuleInfo, ...]
    errors: tuple[str, ...] = ()
    nosec: int = 0
    baseline_problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.errors

    def active_findings(self) -> list[StaticFinding]:
        return [f for f in self.findings if f.suppression is None]


__all__ = [
    "FINGERPRINT_VERSION",
    "StaticConfidence",
    "StaticFinding",
    "StaticResult",
    "normalise_code",
    "number_occurrences",
    "static_fingerprint",
]
