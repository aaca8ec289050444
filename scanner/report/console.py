"""Console report with rich: a findings table, the checks and what they did, notes and the verdict.

:func:`console_renderables` gives the rich objects (the CLI prints them in colour to a terminal, and
the demo puts two reports side by side); :func:`render_console` renders them to plain text at a fixed
width, which is what the formatter registry and the golden files use.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from scanner.findings import Severity
from scanner.result import ScanResult, iso

_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_STATUS_STYLE = {
    "failed": "red",
    "passed": "green",
    "skipped": "yellow",
    "error": "bold red",
    "not run": "yellow",
}
WIDTH = 120


def findings_table(result: ScanResult, *, compact: bool = False) -> Table:
    table = Table(title=Text(f"Findings: {result.target}"), expand=False, show_lines=False)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    if not compact:
        table.add_column("CWE", no_wrap=True)
        table.add_column("Confidence", no_wrap=True)
    table.add_column("Where")
    table.add_column("What")
    for f in result.findings:
        label = f.severity.label + (" (suppressed)" if f.suppression else "")
        where = f"{f.method} {f.location}" + (f" [{f.parameter}]" if f.parameter else "")
        cells: list[Text | str] = [Text(label, style=_STYLE[f.severity]), f.rule.id]
        if not compact:
            cells += [f.rule.cwe_id, f.confidence.label]
        # Text, not str: evidence such as "[session-id]" must not be read as rich markup.
        table.add_row(*cells, Text(where), Text(f.message))
    if not result.findings:
        table.add_row(*(["-"] * (4 if compact else 6)))
    return table


def checks_table(result: ScanResult) -> Table:
    table = Table(title="Checks", expand=False)
    table.add_column("Check", no_wrap=True)
    table.add_column("Result")
    for check in result.checks:
        table.add_row(Text(check.name), Text(check.summary, style=_STATUS_STYLE[check.status]))
    return table


def verdict(result: ScanResult) -> Text:
    counts = {s: sum(1 for f in result.active_findings() if f.severity is s) for s in Severity}
    summary = (
        ", ".join(f"{n} {s.label}" for s, n in sorted(counts.items(), reverse=True) if n) or "no findings"
    )
    stats = result.stats
    text = Text(
        f"{summary}. {stats.requests} requests, {stats.pages} pages, {stats.endpoints} endpoints, "
        f"{stats.duration_s:.1f} s ({iso(result.started)} to {iso(result.finished)})."
    )
    for reason in result.incomplete:
        text.append(f"\nINCOMPLETE: {reason}", style="bold red")
    for problem in result.baseline_problems:
        text.append(f"\nBASELINE: {problem}", style="bold red")
    for note in result.notes:
        text.append(f"\nnote: {note}", style="dim")
    return text


def console_renderables(result: ScanResult, *, compact: bool = False) -> RenderableType:
    return Group(findings_table(result, compact=compact), checks_table(result), verdict(result))


def render_console(result: ScanResult) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, color_system=None, force_terminal=False, legacy_windows=False)
    console.print(console_renderables(result))
    return buffer.getvalue()


__all__ = ["WIDTH", "checks_table", "console_renderables", "findings_table", "render_console", "verdict"]
