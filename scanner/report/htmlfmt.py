"""HTML report: one self-contained file (inline CSS, no script, no external resource).

Every value from the scan is escaped, since evidence holds the target's own HTML. Several results can
share one page (:func:`render_html_document`); the ``sentinel demo`` report uses that.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from scanner.findings import Finding
from scanner.result import ScanResult, iso

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}
.critical,.high{color:#a40000;font-weight:600}.medium{color:#8a5a00;font-weight:600}.low{color:#00607a}
.info{color:#666}.passed{color:#1d6b1d}.failed,.error{color:#a40000}.skipped,.not-run{color:#8a5a00}
details{margin:.6rem 0;border:1px solid #ddd;border-radius:4px;padding:.4rem .7rem}
summary{cursor:pointer}pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:.5rem;
font-size:.85rem}.meta{color:#555}.warn{color:#a40000;font-weight:600}
"""


def _finding(f: Finding) -> str:
    sev = f.severity.label
    suppressed = f" <em>(suppressed: {escape(f.suppression.reason)})</em>" if f.suppression else ""
    evidence = "".join(
        f"<p>{escape(e.note)}</p>"
        + (f"<pre>{escape(e.request)}</pre>" if e.request else "")
        + (f"<pre>{escape(e.response)}</pre>" if e.response else "")
        for e in f.evidence
    )
    return (
        f"<details><summary><span class='{sev}'>{sev.upper()}</span> {escape(f.rule.id)} "
        f"{escape(f.rule.name)} ({escape(f.rule.cwe_id)}, {f.confidence.label}): {escape(f.method)} "
        f"{escape(f.location)}{suppressed}</summary><p>{escape(f.message)}</p>"
        f"<p class='meta'>parameter: {escape(f.parameter or '-')} · fingerprint {escape(f.fingerprint)}</p>"
        f"{evidence}</details>"
    )


def _section(result: ScanResult) -> str:
    rows = (
        "".join(
            f"<tr><td class='{f.severity.label}'>{f.severity.label}</td><td>{escape(f.rule.id)}</td>"
            f"<td>{escape(f.rule.cwe_id)}</td><td>{f.confidence.label}</td><td>{escape(f.method)} "
            f"{escape(f.location)}</td><td>{escape(f.parameter or '-')}</td><td>{escape(f.message)}</td></tr>"
            for f in result.findings
        )
        or "<tr><td colspan='7'>No findings.</td></tr>"
    )
    checks = "".join(
        f"<tr><td>{escape(c.name)}</td><td>{escape(', '.join(c.rules))}</td>"
        f"<td class='{c.status.replace(' ', '-')}'>{escape(c.summary)}</td></tr>"
        for c in result.checks
    )
    warnings = "".join(f"<p class='warn'>INCOMPLETE: {escape(r)}</p>" for r in result.incomplete)
    warnings += "".join(f"<p class='warn'>BASELINE: {escape(r)}</p>" for r in result.baseline_problems)
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    s = result.stats
    return (
        f"<h2>{escape(result.target)}</h2>{warnings}"
        f"<p class='meta'>{iso(result.started)} to {iso(result.finished)} · {s.requests} requests · "
        f"{s.pages} pages · {s.endpoints} endpoints · {s.duration_s:.1f} s · sentinel-scan "
        f"{escape(result.scanner_version)}</p>"
        "<table><tr><th>Severity</th><th>Rule</th><th>CWE</th><th>Confidence</th><th>Where</th>"
        f"<th>Parameter</th><th>What</th></tr>{rows}</table>"
        + "".join(_finding(f) for f in result.findings)
        + f"<h3>Checks</h3><table><tr><th>Check</th><th>Rules</th><th>Result</th></tr>{checks}</table>"
        + (f"<h3>Notes</h3><ul>{notes}</ul>" if notes else "")
    )


def render_html_document(results: Sequence[ScanResult], title: str = "Sentinel scan report") -> str:
    body = "".join(_section(r) for r in results)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def render_html(result: ScanResult) -> str:
    return render_html_document([result])


__all__ = ["render_html", "render_html_document"]
