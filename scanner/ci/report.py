"""The gate's reports: one merged SARIF, one JUnit file, one console summary.

**SARIF** 2.1.0 with one run per half that ran: bandit's (``tool.driver.name`` ``bandit``, see
:mod:`scanner.static.sarif`) first, then the scanner's (``sentinel-scan``, the same run
``sentinel scan --format sarif`` writes). The runs have different tools, so GitHub code scanning
accepts them in one upload (it refuses two runs of the *same* tool and category in one file).

**JUnit**: ``<testsuites name="sentinel-gate">`` holding the static suite and the scanner's suite.

Output is deterministic for a given result (sorted keys, sorted findings, UTC times).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET  # nosec B405  # builds XML; reads only with defusedxml
from typing import Any
from urllib.parse import urlsplit

import defusedxml.ElementTree as DET
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from scanner.ci.run import GateResult
from scanner.ci.verdict import gate_exit_code, gating
from scanner.findings import Severity
from scanner.report.junit import render_junit as scan_junit
from scanner.report.sarif import SCHEMA_URI, sarif_document
from scanner.static.junit import static_junit_suite
from scanner.static.sarif import static_sarif_run

WIDTH = 120
_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def relative_locations(run: dict[str, Any]) -> dict[str, Any]:
    """The scanner's run with each ``http(s)://host:port/path`` location made relative to a base ID.

    GitHub code scanning rejects a whole upload whose locations have a URI scheme other than the
    checkout's (``SARIF URI scheme "http" did not match the checkout URI scheme "file"``). SARIF's
    answer is a relative ``uri`` with a ``uriBaseId`` (``TARGET``, ``TARGET2``, ... per origin), the
    origins listed in ``originalUriBaseIds``. It also keeps locations stable when CI serves the app
    on a different port each run."""
    bases: dict[str, str] = {}
    for result in run.get("results", []):
        for location in result.get("locations", []):
            artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
            parts = urlsplit(str(artifact.get("uri", "")))
            if parts.scheme not in ("http", "https") or "uriBaseId" in artifact:
                continue
            origin = f"{parts.scheme}://{parts.netloc}/"
            base = bases.setdefault(origin, "TARGET" + (str(len(bases) + 1) if bases else ""))
            artifact["uri"] = parts.path.lstrip("/") or "./"
            artifact["uriBaseId"] = base
    if bases:
        run["originalUriBaseIds"] = {base: {"uri": origin} for origin, base in bases.items()}
    return run


def merged_sarif(result: GateResult) -> dict[str, Any]:
    runs = []
    if result.static is not None:
        runs.append(static_sarif_run(result.static))
    if result.dynamic is not None:
        runs.extend(relative_locations(run) for run in sarif_document(result.dynamic)["runs"])
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}


def render_sarif(result: GateResult) -> str:
    return json.dumps(merged_sarif(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_junit(result: GateResult) -> str:
    root = ET.Element("testsuites", name="sentinel-gate")
    suites = []
    if result.static is not None:
        suites.append(static_junit_suite(result.static))
    if result.dynamic is not None:
        suites.append(DET.fromstring(scan_junit(result.dynamic)))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _half_lines(result: GateResult) -> list[Text]:
    lines = []
    if (static := result.static) is not None:
        active = static.active_findings()
        state = "complete" if static.complete else "INCOMPLETE: " + "; ".join(static.errors)
        lines.append(
            Text(
                f"static   bandit {static.bandit_version} + Sentinel plugins on {', '.join(static.paths)}: "
                f"{static.files} files, {static.lines} lines; {len(active)} findings"
                f" ({len(static.findings) - len(active)} suppressed, {static.nosec} nosec); {state}"
            )
        )
    if (dynamic := result.dynamic) is not None:
        active_d = dynamic.active_findings()
        state = "complete" if dynamic.complete else "INCOMPLETE: " + "; ".join(dynamic.incomplete)
        target = f"{result.config.app} at {dynamic.target}" if result.config.app else dynamic.target
        suppressed = len(dynamic.findings) - len(active_d)
        lines.append(
            Text(
                f"dynamic  sentinel-scan on {target}: {len(dynamic.checks)} checks, {dynamic.stats.requests} "
                f"requests; {len(active_d)} findings ({suppressed} suppressed); {state}"
            )
        )
    return lines


def _table(result: GateResult) -> Table:
    static, dynamic = gating(result)
    table = Table(title=Text(f"Findings at or above --fail-on {_fail_on(result)}"), expand=False)
    for column in ("Severity", "Rule", "Half", "Where", "What"):
        table.add_column(column, no_wrap=column in ("Severity", "Rule", "Half"))
    for f in static:
        table.add_row(
            Text(f.severity.label, style=_STYLE[f.severity]),
            f.rule.id,
            "static",
            Text(f.location),
            Text(f.message),
        )
    for d in dynamic:
        where = f"{d.method} {d.location}" + (f" [{d.parameter}]" if d.parameter else "")
        table.add_row(
            Text(d.severity.label, style=_STYLE[d.severity]),
            d.rule.id,
            "dynamic",
            Text(where),
            Text(d.message),
        )
    if not static and not dynamic:
        table.add_row("-", "-", "-", "-", "none")
    return table


def _fail_on(result: GateResult) -> str:
    fail_on = result.config.fail_on
    return fail_on if isinstance(fail_on, str) else fail_on.label


def _verdict(result: GateResult) -> Text:
    code = gate_exit_code(result)
    static, dynamic = gating(result)
    if code == 2:
        text = Text("gate: INCOMPLETE, exit 2 (a broken run proves nothing; see above)", style="bold red")
    elif code == 1:
        what = f"{len(static)} static and {len(dynamic)} dynamic finding(s) at or above {_fail_on(result)}"
        if result.baseline_problems:
            what += f", {len(result.baseline_problems)} expired baseline entr(ies)"
        text = Text(f"gate: FAILED, exit 1: {what}", style="bold red")
    else:
        text = Text(f"gate: passed, exit 0 (--fail-on {_fail_on(result)})", style="green")
    for problem in result.baseline_problems:
        text.append(f"\nBASELINE: {problem}", style="bold red")
    return text


def console_summary(result: GateResult, *, verdict: bool = True) -> RenderableType:
    """What each half did, the findings that gate, and (unless recording a baseline) the verdict."""
    parts: list[RenderableType] = [Text("Sentinel gate", style="bold"), *_half_lines(result), _table(result)]
    return Group(*parts, *([_verdict(result)] if verdict else []))


def render_console(result: GateResult, *, verdict: bool = True) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, color_system=None, force_terminal=False)
    console.print(console_summary(result, verdict=verdict))
    return buffer.getvalue()


__all__ = ["console_summary", "merged_sarif", "render_console", "render_junit", "render_sarif"]
