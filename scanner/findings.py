"""What a scan reports: rules, findings and their evidence, as frozen keyword-only values.

Keyword-only construction matters: with positional fields a CWE number can slide into the severity
slot unnoticed (bandit's own tests once did exactly that). Evidence is redacted before it is stored
here (see :mod:`scanner.redact`), so no formatter can leak a session ID or a password.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit


class Severity(enum.IntEnum):
    """How bad a finding is; ordered, so ``>=`` compares against the ``--fail-on`` threshold."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use info, low, medium, high or critical") from None


class Confidence(enum.IntEnum):
    """How sure the scanner is. Only ``CONFIRMED`` findings count toward the CI gate by default.

    - confirmed: the flaw was exercised and observed (an old ID authenticated after logout);
    - firm: strong direct evidence short of exploitation (an ID embeds the current time);
    - tentative: an indication that needs a human (a statistical test failed, or http hides it).
    """

    TENTATIVE = 0
    FIRM = 1
    CONFIRMED = 2

    @property
    def label(self) -> str:
        return self.name.lower()


#: GitHub code scanning reads ``security-severity`` as a CVSS-like score in a string.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.INFO: "0.0",
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "8.0",
    Severity.CRITICAL: "9.5",
}


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One kind of flaw a check can report. ``id`` is stable across releases (it keys baselines)."""

    id: str
    name: str
    cwe: int
    severity: Severity
    summary: str

    @property
    def cwe_id(self) -> str:
        return f"CWE-{self.cwe}"


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """A redacted request/response excerpt, plus what the scanner concluded from it."""

    note: str
    request: str = ""
    response: str = ""


@dataclass(frozen=True, kw_only=True)
class Suppression:
    """A baseline entry that accepts a finding: why, and until when (``None`` = no expiry)."""

    reason: str
    expires: dt.date | None = None


def strip_query(url: str) -> str:
    """The URL without query string or fragment: the location reports point at."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One reported flaw at one place. ``fingerprint`` identifies it across scans for baselines."""

    rule: Rule
    severity: Severity
    confidence: Confidence
    method: str
    url: str
    parameter: str | None
    message: str
    evidence: tuple[Evidence, ...] = ()
    suppression: Suppression | None = field(default=None, compare=False)

    @property
    def location(self) -> str:
        return strip_query(self.url)

    @property
    def fingerprint(self) -> str:
        """Stable ID from what the flaw *is* and *where* (rule, method, path, parameter).

        Not from evidence, which varies per run, nor from the origin: the same app scanned on another
        host or port (CI starts it on a free port) keeps its fingerprints, so baselines carry over."""
        path = urlsplit(self.location).path or "/"
        key = "\x1f".join((self.rule.id, self.method.upper(), path, self.parameter or ""))
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (
            -int(self.severity),
            self.rule.id,
            self.location,
            self.method,
            self.parameter or "",
            self.fingerprint,
        )


__all__ = [
    "SECURITY_SEVERITY",
    "Confidence",
    "Evidence",
    "Finding",
    "Rule",
    "Severity",
    "Suppression",
    "strip_query",
]
