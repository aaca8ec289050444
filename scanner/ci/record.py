"""``sentinel gate --write-baseline FILE``: record today's findings so that adoption starts green.

The file keeps every *accepted* entry of the baseline in use (those carry a human reason and
suppress everywhere) and lists every other current finding, static or dynamic, as an ``existing``
entry. Entries of findings that are gone are dropped, so re-recording also cleans the file. CI then
runs ``sentinel gate --new-only``: old findings stop blocking, new ones still fail the build, and a
build without ``--new-only`` still shows the debt.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

from scanner.baseline import BaselineEntry, dump_baseline, load_baseline
from scanner.ci.run import GateResult
from scanner.result import utc_now


def snapshot(
    result: GateResult, accepted: list[BaselineEntry], *, today: dt.date | None = None
) -> list[BaselineEntry]:
    """``accepted`` (non-existing entries) plus an ``existing`` entry per unsuppressed finding."""
    day = (today or utc_now().date()).isoformat()
    reason = f"existing when the baseline was recorded on {day}"
    kept = [e for e in accepted if not e.existing]
    fresh = []
    if result.static is not None:
        fresh += [
            BaselineEntry(
                fingerprint=f.fingerprint, reason=reason, existing=True, rule=f.rule.id, where=f.location
            )
            for f in result.static.active_findings()
        ]
    if result.dynamic is not None:
        fresh += [
            BaselineEntry(
                fingerprint=f.fingerprint,
                reason=reason,
                existing=True,
                rule=f.rule.id,
                where=f"{f.method} {urlsplit(f.location).path or '/'}",
            )
            for f in result.dynamic.active_findings()
        ]
    return kept + fresh


def write_baseline(result: GateResult, path: Path, *, today: dt.date | None = None) -> int:
    """Write the snapshot to ``path``; return the number of ``existing`` entries."""
    source = result.config.baseline or path
    accepted = load_baseline(source) if source.exists() else []
    entries = snapshot(result, accepted, today=today)
    path.write_text(dump_baseline(entries), encoding="utf-8")
    return sum(1 for e in entries if e.existing)


__all__ = ["snapshot", "write_baseline"]
