"""Baselines: accepted findings, each with a reason and an optional expiry.

A baseline is a JSON file::

    {"version": 1,
     "suppressions": [
       {"fingerprint": "3f2a...", "reason": "staging only; fixed in #42", "expires": "2025-06-30"}
     ]}

``fingerprint`` comes from any report (JSON ``fingerprint``, SARIF ``partialFingerprints``). A
suppressed finding stays in every report, marked as such (SARIF ``suppressions``), and no longer
counts toward the gate. An entry past its expiry suppresses nothing, and **fails the gate** until it
is renewed or removed, so acceptances cannot rot silently.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from scanner.errors import ScanConfigError
from scanner.findings import Suppression
from scanner.result import ScanResult


@dataclass(frozen=True, kw_only=True)
class BaselineEntry:
    fingerprint: str
    reason: str
    expires: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today


def _entry(raw: object, where: str, problems: list[str]) -> BaselineEntry | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be an object")
        return None
    fingerprint, reason, expires = raw.get("fingerprint"), raw.get("reason"), raw.get("expires")
    if not isinstance(fingerprint, str) or not fingerprint.strip():
        problems.append(f"{where}: 'fingerprint' is required")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(f"{where}: 'reason' is required (say why the finding is accepted)")
    day = None
    if expires is not None:
        try:
            day = dt.date.fromisoformat(str(expires))
        except ValueError:
            problems.append(f"{where}: 'expires' must be a date, YYYY-MM-DD")
    if problems:
        return None
    return BaselineEntry(fingerprint=str(fingerprint).strip(), reason=str(reason).strip(), expires=day)


def load_baseline(path: Path) -> list[BaselineEntry]:
    """Read and validate a baseline file; every problem is reported at once."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScanConfigError([f"cannot read --baseline {path}: {exc.strerror or exc}"]) from exc
    except json.JSONDecodeError as exc:
        raise ScanConfigError([f"--baseline {path} is not JSON ({exc.msg}, line {exc.lineno})"]) from exc
    raw = data.get("suppressions") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ScanConfigError([f"--baseline {path} needs a 'suppressions' list"])
    problems: list[str] = []
    entries = []
    for index, item in enumerate(raw):
        local: list[str] = []
        entry = _entry(item, f"{path}: suppressions[{index}]", local)
        problems += local
        if entry is not None:
            entries.append(entry)
    if problems:
        raise ScanConfigError(problems)
    return entries


def apply_baseline(
    result: ScanResult, entries: list[BaselineEntry], *, today: dt.date | None = None
) -> ScanResult:
    """Mark suppressed findings; record expired entries as gate failures."""
    day = today or dt.datetime.now(dt.UTC).date()
    live = {e.fingerprint: e for e in entries if not e.expired(day)}
    expired = [e for e in entries if e.expired(day)]
    findings = tuple(
        replace(
            f, suppression=Suppression(reason=live[f.fingerprint].reason, expires=live[f.fingerprint].expires)
        )
        if f.fingerprint in live
        else f
        for f in result.findings
    )
    problems = tuple(
        f"baseline entry {e.fingerprint} expired on {e.expires}: renew or remove it ({e.reason})"
        for e in expired
    )
    return replace(result, findings=findings, baseline_problems=result.baseline_problems + problems)


__all__ = ["BaselineEntry", "apply_baseline", "load_baseline"]
