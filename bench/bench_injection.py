"""Injection benchmark: recall, false positives, time and requests, Sentinel vs wapiti3 and sqlmap.

``python -m bench injection``. Targets, each served by uvicorn on 127.0.0.1 with its access log
counting every request it receives:

- ``examples/vulnerable_injection.py`` (flaws I1-I13, documented in the file): recall;
- ``examples/bait.py`` (safe look-alikes): false positives;
- ``/work/shared/targets/planted_flaws_app.py`` (P1-P14 and ``/safe/*``), imported from where it
  lives at bench time (nothing is copied into the repo); skipped if absent. Sentinel only: which of
  P1-P14 it finds (session checks logged in, injection checks at level 1) and anything on ``/safe/``.

Peers, each from its own virtualenv and never a project dependency: wapiti3
(``SENTINEL_BENCH_WAPITI``, default ``/work/helpers/wapiti-venv/bin/wapiti``) with its injection
modules, the OpenAPI document and the tenant header; sqlmap (``SENTINEL_BENCH_SQLMAP``, default
``/work/helpers/sqlmap-venv/bin/sqlmap``) at its defaults on the SQL injection points only (I1-I5,
one run per point, the header marked with ``*``), and on the bait's look-alikes. A missing peer is
said in the section, with the published figures of ``shared/targets/README.md`` instead.

A flaw counts as found when a tool reports its method, path and parameter, whatever it calls it;
"labelled right" also needs the right class of flaw (wapiti files eval under LDAP injection and
template injection under XSS). A false positive is anything reported on the bait app, or on the
vulnerable app at a place that is not a planted flaw.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.bench_scanner import PLANTED_PASSWORD, PLANTED_TRUTH, TARGETS, received, served
from scanner import LOOPBACK_LIMITS, LoginConfig, ScanConfig, ScanResult, run_scan
from scanner.checks._registry import CheckKind, registry
from sentinel.keys import Secret

ROOT = Path(__file__).resolve().parents[1]
WAPITI = Path(os.environ.get("SENTINEL_BENCH_WAPITI", "/work/helpers/wapiti-venv/bin/wapiti"))
SQLMAP = Path(os.environ.get("SENTINEL_BENCH_SQLMAP", "/work/helpers/sqlmap-venv/bin/sqlmap"))
WAPITI_MODULES = "exec,file,sql,timesql,xxe,ldap,xss,permanentxss"
_CONSOLE_XXE = re.compile(r"XXE vulnerability in (\S+?) (?:via injection in the parameter (\S+)|leading)")
#: wapiti's own bound (it writes what it found so far), and ours in case it ignores its own.
WAPITI_SCAN_S, WAPITI_WALL_S = 60, 120
VULNERABLE, BAIT = "examples.vulnerable_injection:app", "examples.bait:app"
HEADERS = (("X-Tenant", "acme"),)

#: flaw -> (method, path or path prefix ending in "/", parameter names any tool may use, class).
TRUTH: dict[str, tuple[str, str, frozenset[str], str]] = {
    "I1": ("GET", "/products", frozenset({"q"}), "sql"),
    "I2": ("GET", "/api/items/", frozenset({"item_id", "#1*", ""}), "sql"),
    "I3": ("POST", "/api/orders", frozenset({"customer", "JSON customer"}), "sql"),
    "I4": ("POST", "/track", frozenset({"ref"}), "sql"),
    "I5": ("GET", "/api/reports", frozenset({"X-Tenant", "X-Tenant #1*"}), "sql"),
    "I6": ("POST", "/api/import", frozenset({"(xml body)", "", "raw body"}), "xxe"),
    "I7": ("POST", "/import-form", frozenset({"document"}), "xxe"),
    "I8": ("POST", "/api/feeds", frozenset({"xml"}), "xxe"),
    "I9": ("GET", "/greet", frozenset({"name"}), "format"),
    "I10": ("GET", "/calc", frozenset({"expr"}), "eval"),
    "I11": ("GET", "/directory", frozenset({"name"}), "xpath"),
    "I12": ("POST", "/preview", frozenset({"title"}), "template"),
    "I13": ("GET", "/search", frozenset({"term"}), "xss"),
}
#: Sentinel rule -> class; wapiti category -> class.
SENTINEL_CLASS = {
    "SNT201": "sql",
    "SNT202": "xxe",
    "SNT203": "format",
    "SNT204": "eval",
    "SNT205": "xpath",
    "SNT206": "template",
    "SNT207": "xss",
}
WAPITI_CLASS = {
    "SQL Injection": "sql",
    "Blind SQL Injection": "sql",
    "XML External Entity": "xxe",
    "Command execution": "eval",
    "Reflected Cross Site Scripting": "xss",
    "Stored Cross Site Scripting": "xss",
    "LDAP Injection": "ldap",
    "Path Traversal": "file",
}
#: True findings beyond the planted list: template source is never escaped, so I12 is also an XSS.
ALSO_TRUE = {("POST", "/preview", "title", "xss")}
#: sqlmap arguments per SQL injection point ({url} is the base URL without its trailing slash).
SQLMAP_POINTS = {
    "I1": ["-u", "{url}/products?q=apple", "-p", "q"],
    "I2": ["-u", "{url}/api/items/1*"],
    "I3": ["-u", "{url}/api/orders", "--data", '{"customer":"alice","status":"open"}', "-p", "customer"],
    "I4": ["-u", "{url}/track", "--data", "ref=home", "-p", "ref"],
    "I5": ["-u", "{url}/api/reports", "--headers", "X-Tenant: acme*"],
}
SQLMAP_BAIT = {
    "search": ["-u", "{url}/search?q=apple", "-p", "q"],
    "items": ["-u", "{url}/api/items/1*"],
    "orders": ["-u", "{url}/api/orders", "--data", '{"customer":"alice","status":"open"}', "-p", "customer"],
    "reports": ["-u", "{url}/api/reports", "--headers", "X-Tenant: acme*"],
}


@dataclass(kw_only=True)
class Outcome:
    """One tool on one app."""

    seconds: float
    requests: int
    found: set[str] = field(default_factory=set)
    right: set[str] = field(default_factory=set)
    false: list[str] = field(default_factory=list)
    complete: bool = True
    #: Flaws a tool printed on its console but left out of its report (wapiti's XXE category bug).
    console_only: set[str] = field(default_factory=set)


@dataclass(kw_only=True)
class SqlmapOutcome:
    seconds: float
    requests: int
    injectable: list[str]


def flaw_at(method: str, path: str, parameter: str) -> str | None:
    name = parameter.removeprefix("header:")
    for flaw, (m, where, names, _) in TRUTH.items():
        at = path.startswith(where) if where.endswith("/") else path == where
        if m == method and at and name in names:
            return flaw
    return None


def tally(reported: list[tuple[str, str, str, str]], seconds: float, requests: int, *, bait: bool) -> Outcome:
    """``reported``: (method, path, parameter, class) -> found, labelled right, false positives.
    On the bait app everything is a false positive."""
    outcome = Outcome(seconds=seconds, requests=requests)
    found, right, false = outcome.found, outcome.right, outcome.false
    for method, path, parameter, cls in reported:
        flaw = None if bait else flaw_at(method, path, parameter)
        if flaw is not None:
            found.add(flaw)
            if TRUTH[flaw][3] == cls:
                right.add(flaw)
        elif (method, path, parameter.removeprefix("header:"), cls) not in ALSO_TRUE:
            false.append(f"{cls} at {method} {path} {parameter}")
    return outcome


def _sentinel_reported(result: ScanResult) -> list[tuple[str, str, str, str]]:
    return [
        (f.method, urlsplit(f.url).path, f.parameter or "", SENTINEL_CLASS.get(f.rule.id, f.rule.name))
        for f in result.findings
    ]


def sentinel(app: str, level: int) -> Outcome:
    with served(app, str(ROOT)) as (url, log):
        before, started = received(log), time.perf_counter()
        # The payload checks only: the site-wide ones (CSRF, security headers) report true flaws of
        # these apps that wapiti's and sqlmap's injection modules do not look for.
        payload = frozenset(c.name for c in registry() if c.kind is CheckKind.ACTIVE) | {"stored-xss"}
        config = ScanConfig(
            base_url=url, limits=LOOPBACK_LIMITS, level=level, inject_headers=HEADERS, checks=payload
        )
        result = asyncio.run(run_scan(config))
        seconds = time.perf_counter() - started
        count = received(log) - before
    outcome = tally(_sentinel_reported(result), seconds, count, bait=app == BAIT)
    outcome.complete = result.complete
    return outcome


def wapiti(app: str) -> Outcome | None:
    if not WAPITI.exists():
        return None
    with served(app, str(ROOT)) as (url, log), tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [str(WAPITI), "-u", url, "-m", WAPITI_MODULES, "--swagger", f"{url}openapi.json"]
        cmd += ["-H", "X-Tenant: acme", "-t", "10", "--flush-session", "-f", "json", "-o", str(report)]
        cmd += ["--max-scan-time", str(WAPITI_SCAN_S), "--max-attack-time", "20"]
        started = time.perf_counter()
        env = {**os.environ, "HOME": tmp}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=WAPITI_WALL_S, env=env)
            stdout, finished = proc.stdout, proc.returncode == 0
        except subprocess.TimeoutExpired as exc:  # its own --max-scan-time is not always honoured
            stdout, finished = str(exc.stdout or ""), False
        seconds = time.perf_counter() - started
        count = received(log)
        data = json.loads(report.read_text()) if report.exists() else {}
    reported = [
        (
            item.get("method", ""),
            item.get("path", ""),
            item.get("parameter", ""),
            WAPITI_CLASS.get(category, category),
        )
        for category, items in data.get("vulnerabilities", {}).items()
        for item in items
    ]
    outcome = tally(reported, seconds, count, bait=app == BAIT)
    outcome.complete = finished
    for path, parameter in _CONSOLE_XXE.findall(stdout):
        flaw = flaw_at("POST", urlsplit(path).path, parameter)
        if flaw is not None and flaw not in outcome.found and app != BAIT:
            outcome.console_only.add(flaw)
    return outcome


def sqlmap(app: str, points: dict[str, list[str]]) -> SqlmapOutcome | None:
    if not SQLMAP.exists():
        return None
    injectable: list[str] = []
    with served(app, str(ROOT)) as (url, log), tempfile.TemporaryDirectory() as tmp:
        base, started = url.rstrip("/"), time.perf_counter()
        for name, args in points.items():
            cmd = [str(SQLMAP), *(a.replace("{url}", base) for a in args), "--batch", "--flush-session"]
            cmd += ["--output-dir", tmp]
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=170, env={**os.environ, "HOME": tmp}
            )
            if "\nParameter: " in proc.stdout:
                injectable.append(name)
        seconds = time.perf_counter() - started
        count = received(log)
    return SqlmapOutcome(seconds=seconds, requests=count, injectable=injectable)


def planted() -> list[str]:
    """Sentinel on the shared planted-flaws app: which of P1-P14, and anything on /safe/."""
    app = TARGETS / "planted_flaws_app.py"
    if not app.exists():
        return ["- The shared planted-flaws app was not found (SENTINEL_BENCH_TARGETS); section skipped."]
    truth: dict[object, str] = {rule: flaw for rule, flaw in PLANTED_TRUTH.items()}
    truth |= {
        ("SNT201", "/search"): "P8",
        ("SNT201", "/item"): "P9",
        ("SNT202", "/xml"): "P10",
        ("SNT203", "/greet"): "P11",
        ("SNT204", "/calc"): "P12",
        ("SNT205", "/user"): "P13",
        ("SNT206", "/hello"): "P14",
    }
    login = LoginConfig(
        url="/login", username="alice", password=Secret(PLANTED_PASSWORD), logout_url="/logout"
    )
    with served("planted_flaws_app:app", f"{TARGETS}:{ROOT}") as (url, log):
        started = time.perf_counter()
        result = asyncio.run(run_scan(ScanConfig(base_url=url, login=login, limits=LOOPBACK_LIMITS)))
        seconds, count = time.perf_counter() - started, received(log)
    found, safe, other = set(), [], []
    for f in result.findings:
        path = urlsplit(f.url).path
        flaw = truth.get((f.rule.id, path)) or truth.get(f.rule.id)
        if path.startswith("/safe/"):
            safe.append(f"{f.rule.id} {f.method} {path} {f.parameter}")
        elif flaw is not None:
            found.add(flaw)
        else:
            other.append(f"{f.rule.id} ({f.rule.name}) {f.method} {path} {f.parameter}")
    order = [f"P{i}" for i in range(1, 15)]
    missed = [p for p in order if p not in found]
    lines = [
        f"- Planted-flaws app (shared yardstick), one full scan (session checks logged in, injection "
        f"checks at level 1): **{len(found)}/14** found ({', '.join(p for p in order if p in found)}); "
        f"missed: {', '.join(missed) or 'none'}; findings on `/safe/*`: **{len(safe)}**"
        f"{' (' + '; '.join(safe) + ')' if safe else ''}; {seconds:.1f} s, {count} requests, "
        f"scan {'complete' if result.complete else 'INCOMPLETE'}.",
    ]
    if other:
        lines.append(
            "- Also reported there, true but not on the planted list: " + "; ".join(sorted(set(other))) + "."
        )
    lines.append(
        "- For reference (shared/targets/README.md, same app): wapiti 3.2.3 found P6, P8 and P9 (7,726 "
        "requests); sqlmap found P8 and P9, and P13 only with `--xpath`."
    )
    return lines


def _names(flaws: set[str]) -> str:
    return ", ".join(sorted(flaws, key=lambda f: int(f[1:]))) or "none"


def _row(tool: str, r: Outcome, bait: Outcome | None, total: int) -> str:
    fps = r.false + (bait.false if bait else [])
    requests = r.requests + (bait.requests if bait else 0)
    seconds = r.seconds + (bait.seconds if bait else 0.0)
    if not (r.complete and (bait is None or bait.complete)):
        tool += " (stopped: did not finish)"
    return (
        f"| {tool} | {len(r.found)}/{total} | {len(r.right)}/{total} | {len(fps)} | "
        f"{seconds:.1f} s | {requests} | {_names(r.found)} |"
    )


def run() -> str:
    total = len(TRUTH)
    ours1, ours2 = sentinel(VULNERABLE, 1), sentinel(VULNERABLE, 2)
    bait2 = sentinel(BAIT, 2)
    peer, peer_bait = wapiti(VULNERABLE), wapiti(BAIT)
    sql, sql_bait = sqlmap(VULNERABLE, SQLMAP_POINTS), sqlmap(BAIT, SQLMAP_BAIT)
    rows = [
        _row("Sentinel, level 1 (CI default)", ours1, None, total),
        _row("Sentinel, level 2", ours2, bait2, total),
    ]
    if peer is not None and peer_bait is not None:
        rows.append(_row("wapiti 3.2.3 (injection modules)", peer, peer_bait, total))
    lines = [
        "## Injection checks: recall, false positives, time and requests",
        "",
        "Vulnerable app: `examples/vulnerable_injection.py` (13 planted flaws, I1-I13); bait app: "
        "`examples/bait.py` (safe look-alikes). Both served on 127.0.0.1, requests counted by the "
        "server's access log, every tool given the tenant header and the OpenAPI document. "
        "False positives = findings on the bait app plus findings at unplanted places of the "
        "vulnerable app. Time and requests of the level-2 and wapiti rows cover both apps; the level-1 "
        "row covers the vulnerable app only.",
        "",
        "| Tool | Found | Labelled right | False positives | Time | Requests | Flaws found |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    if peer is None:
        lines.append(
            "- wapiti3 is not installed (SENTINEL_BENCH_WAPITI); published figures (shared/targets/"
            "README.md, planted app): it lost XXE from its report, labelled eval as LDAP injection and "
            "SSTI as XSS."
        )
    else:
        if peer.console_only:
            lines.append(
                f"- wapiti printed XXE on its console for {_names(peer.console_only)} but left it out of "
                "its JSON report (the category bug of shared/targets/README.md), so CI never sees it; its "
                "XXE payloads read /etc/passwd and ask an external host for out-of-band results."
            )
        mislabelled = _names(peer.found - peer.right)
        lines.append(f"- wapiti found but mislabelled: {mislabelled}.")
        ratio = peer.requests / max(1, ours1.requests)
        lines.append(
            f"- Sentinel level 1 found {len(ours1.found)}/{total} with {ours1.requests} requests; "
            f"wapiti found {len(peer.found)}/{total} with {peer.requests} ({ratio:.1f}x as many)."
        )
    if peer is not None and peer_bait is not None and (peer.false or peer_bait.false):
        lines.append(f"- wapiti's false positives: {'; '.join(peer.false + peer_bait.false)}.")
    fps = ours2.false + bait2.false
    lines.append(f"- Sentinel's false positives: {'; '.join(fps) if fps else 'none'}.")
    if sql is not None and sql_bait is not None:
        sql_found = ", ".join(sorted(sql.injectable, key=lambda f: int(f[1:]))) or "none"
        ours_sql = _names({f for f in ours2.found if TRUTH[f][3] == "sql"})
        lines.append(
            f"- SQL injection points I1-I5: sqlmap 1.10 (defaults, one run per point) found "
            f"{len(sql.injectable)}/5 ({sql_found}) in {sql.seconds:.1f} s and {sql.requests} requests; "
            f"on the bait's four look-alikes it reported {len(sql_bait.injectable)} injectable "
            f"({', '.join(sql_bait.injectable) or 'none'}) in {sql_bait.seconds:.1f} s and "
            f"{sql_bait.requests} requests. Sentinel level 2 found {ours_sql} within its whole-app scan."
        )
    else:
        lines.append(
            "- sqlmap is not installed (SENTINEL_BENCH_SQLMAP); published figures (shared/targets/"
            "README.md, planted app): P8 in 8.1 s / 39 requests, P9 in 5.7 s / 61 requests, one "
            "parameter at a time."
        )
    lines += planted()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
