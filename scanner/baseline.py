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

One file serves both halves of ``sentinel gate``: a fingerprint is an opaque string, whether it names
a dynamic finding (rule, method, path, parameter) or a static one (rule, file path, a hash of the
flagged code and its occurrence; see :mod:`scanner.static.findings`). Two optional fields came with
the gate:

- ``"existing": true`` marks an entry recorded by ``sentinel gate --write-baseline``: a finding that
  was already there when the gate was adopted. Such entries suppress only under ``--new-only``
  (``new_only=True``), so a pull-request build can fail on new findings while a full build still
  shows the old ones; an accepted entry (no ``existing``) suppresses everywhere;
- ``"rule"`` and ``"where"`` say what the fingerprint is, for the humans who review the file. They
  are never used for matching.
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
    #: Recorded by ``--write-baseline``: suppresses only under ``--new-only``.
    existing: bool = False
    #: For humans reading the file (rule ID, and file:line or METHOD path); never matched.
    rule: str | None = None
    where: str | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"fingerprint": self.fingerprint, "reason": self.reason}
        if self.expires is not None:
            out["expires"] = self.expires.isoformat()
        if self.existing:
            out["existing"] = True
        out.update({k: v for k, v in (("rule", self.rule), ("where", self.where)) if v is not None})
        return out


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
    existing, rule, place = raw.get("existing", False), raw.get("rule"), raw.get("where")
    if not isinstance(existing, bool):
        problems.append(f"{where}: 'existing' must be true or false")
    if any(v is not None and not isinstance(v, str) for v in (rule, place)):
        problems.append(f"{where}: 'rule' and 'where' must be strings")
    if problems:
        return None
    return BaselineEntry(
        fingerprint=str(fingerprint).strip(),
        reason=str(reason).strip(),
        expires=day,
        existing=bool(existing),
        rule=rule if isinstance(rule, str) else None,
        where=place if isinstance(place, str) else None,
    )


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


def resolve_baseline(
    entries: list[BaselineEntry], *, today: dt.date | None = None, new_only: bool = False
) -> tuple[dict[str, Suppression], tuple[str, ...]]:
    """``(fingerprint -> suppression, problems)``: what suppresses today, and one problem per
    expired entry. ``existing`` entries take part only when ``new_only``."""
    day = today or dt.datetime.now(dt.UTC).date()
    relevant = [e for e in entries if new_only or not e.existing]
    live = {
        e.fingerprint: Suppression(reason=e.reason, expires=e.expires) for e in relevant if not e.expired(day)
    }
    problems = tuple(
        f"baseline entry {e.fingerprint} expired on {e.expires}: renew or remove it ({e.reason})"
        for e in relevant
        if e.expired(day)
    )
    return live, problems


def apply_baseline(
    result: ScanResult, entries: list[BaselineEntry], *, today: dt.date | None = None, new_only: bool = False
) -> ScanResult:
    """Mark suppressed findings; record expired entries as gate failures."""
    live, problems = resolve_baseline(entries, today=today, new_only=new_only)
    findings = tuple(
        replace(f, suppression=live[f.fingerprint]) if f.fingerprint in live else f for f in result.findings
    )
    return replace(result, findings=findings, baseline_problems=result.baseline_problems + problems)


def dump_baseline(entries: list[BaselineEntry]) -> str:
    """The baseline file for ``entries``: version 1, sorted by fingerprint, newline-terminated."""
    ordered = sorted({e.fingerprint: e for e in entries}.values(), key=lambda e: e.fingerprint)
    document = {"version": 1, "suppressions": [e.as_json() for e in ordered]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


__all__ = ["BaselineEntry", "apply_baseline", "dump_baseline", "load_baseline", "resolve_baseline"]
