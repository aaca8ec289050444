"""HTML report: one self-contained file (inline CSS, no script, no external resource).

Every value from the scan is escaped, since evidence holds the target's own HTML. Several results can
share one page (:func:`render_html_document`), each under its own label; the ``sentinel demo`` report
uses that. Each finding carries its fix in a sentence or two, taken from the "How to fix" paragraph
of its check's docstring (the same text as its ``docs/checks/`` page, which it links to when the
caller says where those pages are), and each check that did not pass says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from html import escape

from scanner.findings import Finding
from scanner.result import CheckResult, ScanResult, iso

_FIX = re.compile(r"\*\*How to fix\.\*\*\s*(.*?)(?:\n\s*\n|$)", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(`])")
_CODE = re.compile(r"``(.+?)``")

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}
.critical,.high{color:#a40000;font-weight:600}.medium{color:#8a5a00;font-weight:600}.low{color:#00607a}
.info{color:#666}.passed{color:#1d6b1d}.failed,.error{color:#a40000}.skipped,.not-run{color:#8a5a00}
details{margin:.6rem 0;border:1px solid #ddd;border-radius:4px;padding:.4rem .7rem}
summary{cursor:pointer}pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:.5rem;
font-size:.85rem}.meta{color:#555}.warn{color:#a40000;font-weight:600}.fix{margin:.3rem 0}
.label{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;padding:.1rem .4rem;border-radius:3px;
color:#fff;background:#555}.label.vulnerable{background:#a40000}.label.hardened{background:#1d6b1d}
"""


@cache
def _check_docs() -> dict[str, tuple[str, str]]:
    """rule id -> (check name, fix in one or two sentences, as HTML), from each check's docstring."""
    from scanner.checks._registry import registry

    out: dict[str, tuple[str, str]] = {}
    for spec in registry():
        match = _FIX.search(spec.doc)
        text = " ".join(match.group(1).split()) if match else ""
        short = " ".join(_SENTENCE_END.split(text)[:2])
        html = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escape(short, quote=False))
        for rule in spec.rules:
            out[rule.id] = (spec.name, html)
    return out


def _fix(rule_id: str, docs_base: str | None) -> str:
    name, fix = _check_docs().get(rule_id, ("", ""))
    if not name:
        return ""
    page = f"{name}.md"
    where = (
        f"<a href='{escape(docs_base + page)}'>docs/checks/{escape(page)}</a>"
        if docs_base is not None
        else f"docs/checks/{escape(page)}"
    )
    return f"<p class='fix'><strong>Fix:</strong> {fix} (more: {where})</p>"


def _check_summary(check: CheckResult, result: ScanResult) -> str:
    """What the check did and why: a failed check names what it found, a skipped one its reason."""
    if check.status == "failed" and not check.reason:
        found = sorted({f.rule.id + " " + f.rule.name for f in result.findings if f.rule.id in check.rules})
        what = "; ".join(found) or "see the findings above"
        return f"failed: found {what}"
    if check.status in ("skipped", "error", "not run") and not check.reason:
        return f"{check.status}: no reason recorded (a scanner bug: please report it)"
    return check.summary


def _finding(f: Finding, docs_base: str | None) -> str:
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
        f"{escape(f.location)}{suppressed}</summary><p>{escape(f.message)}</p>{_fix(f.rule.id, docs_base)}"
        f"<p class='meta'>parameter: {escape(f.parameter or '-')} · fingerprint {escape(f.fingerprint)}</p>"
        f"{evidence}</details>"
    )


def _heading(result: ScanResult, label: str | None) -> str:
    """``label`` (e.g. "Vulnerable: examples/vulnerable_sessions.py") above the target URL."""
    if label is None:
        return f"<h2>{escape(result.target)}</h2>"
    kind, _, name = (part.strip() for part in label.partition(":"))
    css = kind.lower() if kind.lower() in ("vulnerable", "hardened") else ""
    return (
        f"<h2><span class='label {css}'>{escape(kind)}</span> {escape(name or label)}</h2>"
        f"<p class='meta'>scanned at {escape(result.target)}</p>"
    )


def _section(result: ScanResult, label: str | None, docs_base: str | None) -> str:
    rows = (
        "".join(
            f"<tr><td class='{f.severity.label}'>{f.severity.label}</td><td>{escape(f.rule.id)}</td>"
            f"<td>{escape(f.rule.cwe_id)}</td><td>{f.confidence.label}</td><td>{escape(f.method)} "
            f"{escape(f.location)}</td><td>{escape(f.parameter or '-')}</td><td>{escape(f.message)}"
            f"{_fix(f.rule.id, docs_base)}</td></tr>"
            for f in result.findings
        )
        or "<tr><td colspan='7'>No findings.</td></tr>"
    )
    checks = "".join(
        f"<tr><td>{escape(c.name)}</td><td>{escape(', '.join(c.rules))}</td>"
        f"<td class='{c.status.replace(' ', '-')}'>{escape(_check_summary(c, result))}</td></tr>"
        for c in result.checks
    )
    warnings = "".join(f"<p class='warn'>INCOMPLETE: {escape(r)}</p>" for r in result.incomplete)
    warnings += "".join(f"<p class='warn'>BASELINE: {escape(r)}</p>" for r in result.baseline_problems)
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    s = result.stats
    return (
        f"{_heading(result, label)}{warnings}"
        f"<p class='meta'>{iso(result.started)} to {iso(result.finished)} · {s.requests} requests · "
        f"{s.pages} pages · {s.endpoints} endpoints · {s.duration_s:.1f} s · sentinel-scan "
        f"{escape(result.scanner_version)}</p>"
        "<table><tr><th>Severity</th><th>Rule</th><th>CWE</th><th>Confidence</th><th>Where</th>"
        f"<th>Parameter</th><th>What</th></tr>{rows}</table>"
        + "".join(_finding(f, docs_base) for f in result.findings)
        + f"<h3>Checks</h3><table><tr><th>Check</th><th>Rules</th><th>Result</th></tr>{checks}</table>"
        + (f"<h3>Notes</h3><ul>{notes}</ul>" if notes else "")
    )


def render_html_document(
    results: Sequence[ScanResult],
    title: str = "Sentinel scan report",
    *,
    labels: Sequence[str] | None = None,
    docs_base: str | None = None,
) -> str:
    """One page for ``results``. ``labels`` head each section ("Vulnerable: app.py"); ``docs_base``
    (ending in ``/``) is where the ``docs/checks/`` pages are, for links from each finding's fix."""
    if labels is not None and len(labels) != len(results):
        raise ValueError("give one label per result")
    names: Sequence[str | None] = labels if labels is not None else [None] * len(results)
    body = "".join(_section(r, label, docs_base) for r, label in zip(results, names, strict=True))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def render_html(result: ScanResult) -> str:
    return render_html_document([result])


__all__ = ["render_html", "render_html_document"]
