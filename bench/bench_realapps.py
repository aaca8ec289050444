"""Real-app benchmark: Sentinel (levels 1 and 2) vs wapiti3 on public, deliberately vulnerable apps.

``python -m bench realapps``. The apps are *not* in this repository: each is read from a checkout
named by an environment variable, and a target whose variable is unset is skipped (the table says so):

- ``SENTINEL_BENCH_DSVW``: a checkout of stamparm/DSVW (one file, stdlib server; needs lxml);
- ``SENTINEL_BENCH_VULPY``: a checkout of fportantier/vulpy; ``bad/`` is scanned, and ``good/`` as the
  false-positive control (Flask/Werkzeug 2.0.x, pyotp 2.3, PyJWT 1.7, pinned below).

Each app gets its own virtualenv under ``SENTINEL_BENCH_VENVS`` (default ``~/.cache/sentinel-bench``),
made on first use with pip. It is started by a small wrapper of ours that imports the app from its
checkout and binds it to 127.0.0.1 on a free port (DSVW's fixed port and vulpy's ``app.run`` host are
replaced at runtime; nothing of theirs is copied or edited), with its working directory in a fresh
temporary directory (vulpy writes its SQLite files there), and a 2 GiB address-space cap (DSVW's
``?size=`` link is a memory denial of service that a crawler following every link triggers).
Requests are counted from the app's own access log (the stdlib and Werkzeug servers log one line per
request).

wapiti3 comes from its own virtualenv (``SENTINEL_BENCH_WAPITI``, the ``wapiti`` executable), run with
its default modules, the same base URL and the same credentials (its ``--form-*`` login; DSVW's
login is a GET link, which wapiti cannot use, so it gets none there). Sentinel runs through its CLI
with the loopback pace (``--max-rps 250 --concurrency 8``) and its default request budget.

Scoring: each tool's findings are mapped to classes (by CWE for Sentinel, by category for wapiti) and
matched against the app's flaws (``bench/realapps.py``, from reading the source, with file:line).
A finding that matches no listed flaw is counted as false and listed for review; hardening advice
(HSTS, the ``__Host-`` prefix, Secure on plain http) is neither found nor false.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.realapps import (
    ADVICE,
    DSVW,
    SENTINEL_ADVICE,
    SENTINEL_CLASSES,
    VULPY_BAD,
    VULPY_GOOD,
    WAPITI_CLASSES,
    Flaw,
)
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
VENVS = Path(os.environ.get("SENTINEL_BENCH_VENVS", str(Path.home() / ".cache" / "sentinel-bench")))
WAPITI = Path(os.environ.get("SENTINEL_BENCH_WAPITI", "/work/wt/peers-venv/bin/wapiti"))
VULPY_PINS = ("Flask==2.0.3", "Werkzeug==2.0.3", "pyotp==2.3.0", "PyJWT==1.7.1", "jsonschema", "cryptography")
VULPY_EXTRA = ("click", "requests", "qrcode", "geoip2")
_ACCESS = re.compile(r'"[A-Z]+ [^"]* HTTP/1\.[01]" \d{3}')
WAPITI_SECONDS = 600

#: Our wrappers: import the app from its checkout, bind it to loopback on the port we chose.
#: Each app may use at most this much memory: DSVW's "?size=" denial of service (a link a crawler
#: follows) then fails inside the app with MemoryError instead of exhausting a shared machine.
MEMORY_CAP = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
"""
DSVW_WRAPPER = (
    MEMORY_CAP
    + """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("dsvw", sys.argv[1])
dsvw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dsvw)
dsvw.init()
dsvw.ThreadingServer(("127.0.0.1", int(sys.argv[2])), dsvw.ReqHandler).serve_forever()
"""
)
VULPY_WRAPPER = (
    MEMORY_CAP
    + """
import os, pathlib, runpy, sys, flask
source, port = sys.argv[1], int(sys.argv[2])
for data in pathlib.Path(source).iterdir():  # its data files (GeoIP, password lists), by link
    if data.is_file() and data.suffix != ".py" and not os.path.exists(data.name):
        os.symlink(data, data.name)
original = flask.Flask.run
def loopback(self, *args, **options):
    options.update(host="127.0.0.1", port=port, debug=False, use_reloader=False)
    options.pop("extra_files", None)
    return original(self, **options)
flask.Flask.run = loopback
sys.path.insert(0, source)
runpy.run_path(source + "/db_init.py", run_name="__main__")
runpy.run_path(source + "/vulpy.py", run_name="__main__")
"""
)


@dataclass(frozen=True, kw_only=True)
class Target:
    name: str
    variable: str
    subdir: str
    wrapper: str
    venv: str
    requirements: tuple[str, ...]
    flaws: tuple[Flaw, ...]
    #: Sentinel's login options, and wapiti's (None: no login it can use).
    sentinel_login: tuple[str, ...]
    wapiti_login: tuple[str, ...] | None
    entry: str
    control: bool = False


TARGETS = (
    Target(
        name="DSVW",
        variable="SENTINEL_BENCH_DSVW",
        subdir="dsvw.py",
        wrapper=DSVW_WRAPPER,
        venv="dsvw",
        requirements=("lxml",),
        flaws=DSVW,
        sentinel_login=("--login-url", "/login", "--login-format", "get", "--username", "admin"),
        wapiti_login=None,
        entry="/",
    ),
    Target(
        name="vulpy bad/",
        variable="SENTINEL_BENCH_VULPY",
        subdir="bad",
        wrapper=VULPY_WRAPPER,
        venv="vulpy",
        requirements=VULPY_PINS + VULPY_EXTRA,
        flaws=VULPY_BAD,
        sentinel_login=("--login-url", "/user/login", "--username", "admin"),
        wapiti_login=("--form-url", "/user/login", "--form-user", "admin"),
        entry="/",
    ),
    Target(
        name="vulpy good/ (control)",
        variable="SENTINEL_BENCH_VULPY",
        subdir="good",
        wrapper=VULPY_WRAPPER,
        venv="vulpy",
        requirements=VULPY_PINS + VULPY_EXTRA,
        flaws=VULPY_GOOD,
        sentinel_login=("--login-url", "/user/login", "--username", "admin"),
        wapiti_login=("--form-url", "/user/login", "--form-user", "admin"),
        entry="/",
        control=True,
    ),
)
#: The demo passwords, from each app's own seed data (DSVW's USERS_XML, vulpy's db_init.py).
PASSWORDS = {"DSVW": "7en8aiDoh!", "vulpy bad/": "SuperSecret", "vulpy good/ (control)": "SuperSecret"}


@dataclass(kw_only=True)
class Outcome:
    tool: str
    seconds: float = 0.0
    requests: int = 0
    found: set[str] = field(default_factory=set)
    false: list[str] = field(default_factory=list)
    note: str = ""


def _python(target: Target) -> Path:
    venv = VENVS / target.venv
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *target.requirements], check=True, timeout=900
        )
    return python


@contextmanager
def served(target: Target, source: Path) -> Iterator[tuple[str, Path]]:
    """Start the app on 127.0.0.1 (our wrapper); yield its URL and its access log."""
    python = _python(target)
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        wrapper, log = Path(work) / "serve_wrapper.py", Path(work) / "access.log"
        wrapper.write_text(target.wrapper)
        app = source / target.subdir
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(python), str(wrapper), str(app), str(port)],
                cwd=work,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                _wait(url, proc, log)
                yield url, log
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(url + "/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the app did not start on {url}")


def received(log: Path) -> int:
    return sum(1 for line in log.read_text(errors="replace").splitlines() if _ACCESS.search(line))


def _classify(
    flaws: tuple[Flaw, ...], kind: str, path: str, param: str | None, label: str, out: Outcome
) -> None:
    if kind in ADVICE:
        return
    hits = [f.id for f in flaws if f.matches(kind, path, param)]
    if hits:
        out.found.update(hits)
    else:
        out.false.append(label)


def sentinel_run(target: Target, source: Path, level: int) -> Outcome:
    out = Outcome(tool=f"sentinel level {level}")
    with served(target, source) as (url, log), tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "sentinel", "scan", url + target.entry, "--format", "json"]
        cmd += ["--output", str(report), "--max-rps", "250", "--concurrency", "8", "--level", str(level)]
        cmd += [*target.sentinel_login, "--password-env", "BENCH_PASSWORD", "--fail-on", "never"]
        env = {**os.environ, "BENCH_PASSWORD": PASSWORDS[target.name], "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env, cwd=ROOT)
        out.seconds = time.perf_counter() - started
        out.requests = received(log)
        if not report.exists():
            out.note = f"no report (exit {proc.returncode}): {proc.stderr[-300:]}"
            return out
        data = json.loads(report.read_text())
    for finding in data.get("findings", []):
        if finding["rule_id"] in SENTINEL_ADVICE:
            continue
        cwe = int(str(finding["cwe"]).removeprefix("CWE-"))
        kind = SENTINEL_CLASSES.get(cwe, f"cwe-{cwe}")
        path = urlsplit(finding["url"]).path
        label = f"{finding['rule_id']} {finding['method']} {path} {finding.get('parameter') or ''}".strip()
        _classify(target.flaws, kind, path, finding.get("parameter"), label, out)
    incomplete = data.get("incomplete") or []
    if incomplete:
        out.note = "incomplete: " + "; ".join(incomplete)[:300]
    return out


def wapiti_run(target: Target, source: Path) -> Outcome | None:
    if not WAPITI.exists():
        return None
    out = Outcome(tool="wapiti 3.2.3")
    with served(target, source) as (url, log), tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [str(WAPITI), "-u", url + "/", "--flush-session", "-f", "json", "-o", str(report)]
        cmd += ["--max-scan-time", str(WAPITI_SECONDS), "--store-session", tmp, "--store-config", tmp]
        if target.wapiti_login is not None:
            login = list(target.wapiti_login)
            login[1] = url + login[1]
            cmd += [*login, "--form-password", PASSWORDS[target.name]]
        started = time.perf_counter()
        try:
            subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=2 * WAPITI_SECONDS + 120,
                env={**os.environ, "HOME": tmp},
            )
        except subprocess.TimeoutExpired:  # wapiti overran its own --max-scan-time: no report written
            out.note = (
                f"timed out (over {2 * WAPITI_SECONDS + 120} s despite --max-scan-time {WAPITI_SECONDS})"
            )
        out.seconds = time.perf_counter() - started
        out.requests = received(log)
        data = json.loads(report.read_text()) if report.exists() else {}
    for category, entries in (data.get("vulnerabilities") or {}).items():
        kind = WAPITI_CLASSES.get(category, category)
        for entry in entries:
            path = str(entry.get("path", "/"))
            param = entry.get("parameter") or None
            _classify(
                target.flaws,
                kind,
                path,
                param,
                f"{category} {entry.get('method', '')} {path} {param or ''}",
                out,
            )
    return out


def _flaw_table(target: Target, outcomes: list[Outcome]) -> list[str]:
    head = "| flaw | where | " + " | ".join(o.tool for o in outcomes) + " |"
    lines = [head, "|---|---|" + "---|" * len(outcomes)]
    for flaw in target.flaws:
        marks = " | ".join("found" if flaw.id in o.found else "-" for o in outcomes)
        lines.append(f"| {flaw.id} {flaw.title} | `{flaw.where}` | {marks} |")
    return lines


def run() -> str:
    lines = [
        "## Real apps: Sentinel vs wapiti3 (`python -m bench realapps`)",
        "",
        "Public, deliberately vulnerable apps, scanned as a new user would: base URL and the demo login.",
        "Flaws listed from reading each app's source (file:line in its own repository). Requests are",
        "counted from the app's access log. Figures taken on a machine shared with other work.",
        "",
        "| target | tool | found | missed | false | requests | time (s) | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    details: list[str] = []
    totals: dict[str, list[int]] = {}
    for target in TARGETS:
        checkout = os.environ.get(target.variable)
        if not checkout:
            lines.append(f"| {target.name} | - | - | - | - | - | - | skipped: {target.variable} is unset |")
            continue
        source = Path(checkout)
        try:
            outcomes = [sentinel_run(target, source, 1), sentinel_run(target, source, 2)]
            peer = wapiti_run(target, source)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            lines.append(
                f"| {target.name} | - | - | - | - | - | - | error: {str(exc)[-200:]} |".replace("\n", " ")
            )
            continue
        if peer is not None:
            outcomes.append(peer)
        for o in outcomes:
            missed = len(target.flaws) - len(o.found)
            note = o.note.replace("|", "/")
            lines.append(
                f"| {target.name} | {o.tool} | {len(o.found)} | {missed} | {len(o.false)} | {o.requests} | "
                f"{o.seconds:.1f} | {note} |"
            )
            if not target.control:
                total = totals.setdefault(o.tool, [0, 0, 0])
                total[0] += len(o.found)
                total[1] += len(o.false)
                total[2] += o.requests
        details += ["", f"### {target.name}", "", *_flaw_table(target, outcomes)]
        for o in outcomes:
            if o.false:
                details += ["", f"{o.tool}, not matched to a listed flaw (counted as false):", ""]
                details += [f"- `{label}`" for label in sorted(set(o.false))]
    if totals:
        lines += ["", "Totals over DSVW and vulpy bad/ (found / false / requests):", ""]
        lines += [f"- {tool}: {t[0]} / {t[1]} / {t[2]}" for tool, t in totals.items()]
    return "\n".join(lines + details) + "\n"


if __name__ == "__main__":
    print(run())
