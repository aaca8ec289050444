"""Scanner benchmark: time, request count and flaws found, Sentinel's scanner vs wapiti3, same run.

Targets, each served by uvicorn on 127.0.0.1 with its access log counting every request it receives:

- ``examples/vulnerable_sessions.py`` (flaws V1-V8, documented in the file);
- ``/work/shared/targets/planted_flaws_app.py`` (P1-P14; P1-P7 are the session flaws), imported from
  where it lives at bench time (nothing is copied into the repo); skipped if absent or if its
  dependencies (starlette, lxml, jinja2) are not installed.

Peers: wapiti3 from a separate virtualenv (``SENTINEL_BENCH_WAPITI``, default
``/work/helpers/wapiti-venv/bin/wapiti``; never a project dependency), run with the module list of
``shared/targets/README.md``. Without it the section compares against that README's published
figures and says so. Sentinel runs twice: at its default politeness (10 req/s) and with the loopback
preset (what the demo uses). ``python -m bench scanner``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from scanner import DEFAULT_LIMITS, LOOPBACK_LIMITS, LoginConfig, ScanConfig, run_scan
from sentinel.keys import Secret
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
TARGETS = Path(os.environ.get("SENTINEL_BENCH_TARGETS", "/work/shared/targets"))
WAPITI = Path(os.environ.get("SENTINEL_BENCH_WAPITI", "/work/helpers/wapiti-venv/bin/wapiti"))
WAPITI_MODULES = (
    "cookieflags,csrf,exec,file,sql,timesql,xxe,ldap,crlf,redirect,xss,permanentxss,http_headers,csp,"
    "methods,brute_login_form"
)
_ACCESS = re.compile(r'"[A-Z]+ [^"]* HTTP/1\.[01]" \d{3}')

#: rule -> the flaw it detects, per target (ground truth from each app's docstring).
VULNERABLE_TRUTH = {
    "SNT101": "V1",
    "SNT102": "V2",
    "SNT103": "V3",
    "SNT104": "V4",
    "SNT105": "V5",
    "SNT106": "V6",
    "SNT107": "V6",
    "SNT108": "V7",
    "SNT109": "V7",
    "SNT110": "V7",
    "SNT111": "V7",
    "SNT113": "V7",
    "SNT114": "V8",
}
PLANTED_TRUTH = {
    "SNT101": "P1",
    "SNT102": "P1",
    "SNT103": "P2",
    "SNT104": "P3",
    "SNT105": "P4",
    "SNT106": "P5",
    "SNT107": "P5",
    "SNT108": "P6",
    "SNT109": "P6",
    "SNT110": "P6",
    "SNT114": "P7",
}
PLANTED_PASSWORD = "wonderland"


@contextmanager
def served(app: str, pythonpath: str) -> Iterator[tuple[str, Path]]:
    """uvicorn on a free loopback port, access log to a file (one line per request received)."""
    port = free_port()
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    env = {**os.environ, "PYTHONPATH": pythonpath, "SENTINEL_SECRET_KEYS": "bench-only-key-" + "x" * 40}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "info",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, log
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)


def received(log: Path) -> int:
    return sum(1 for line in log.read_text(errors="replace").splitlines() if _ACCESS.search(line))


def sentinel_run(
    app: str, pythonpath: str, login: LoginConfig, truth: dict[str, str], fast: bool
) -> dict[str, object]:
    with served(app, pythonpath) as (url, log):
        before = received(log)
        started = time.perf_counter()
        config = ScanConfig(base_url=url, login=login, limits=LOOPBACK_LIMITS if fast else DEFAULT_LIMITS)
        result = asyncio.run(run_scan(config))
        seconds = time.perf_counter() - started
        count = received(log) - before
    found = sorted({truth[f.rule.id] for f in result.findings if f.rule.id in truth})
    return {"seconds": seconds, "requests": count, "found": found, "complete": result.complete}


def wapiti_run(app: str, pythonpath: str, skip: str | None) -> dict[str, object] | None:
    if not WAPITI.exists():
        return None
    with served(app, pythonpath) as (url, log), tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [
            str(WAPITI),
            "-u",
            url,
            "-m",
            WAPITI_MODULES,
            "-t",
            "10",
            "--flush-session",
            "-f",
            "json",
            "-o",
            str(report),
            "--max-scan-time",
            "120",
        ]
        cmd += ["--skip", skip] if skip else []
        started = time.perf_counter()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": tmp}
        )
        seconds = time.perf_counter() - started
        count = received(log)
        categories: list[str] = []
        if report.exists():
            data = json.loads(report.read_text())
            categories = sorted(k for k, v in data.get("vulnerabilities", {}).items() if v)
    crashed = "Traceback" in proc.stderr or "Traceback" in proc.stdout
    return {
        "seconds": seconds,
        "requests": count,
        "categories": categories,
        "exit": proc.returncode,
        "crashed": crashed,
    }


def _row(name: str, target: str, r: dict[str, object]) -> str:
    rate = float(r["requests"]) / float(r["seconds"]) if r["seconds"] else 0.0  # type: ignore[arg-type]
    found = ", ".join(r.get("found", []) or r.get("categories", []) or ["none"])  # type: ignore[arg-type]
    extra = ""
    if "exit" in r:
        extra = f" (exit {r['exit']}{', crashed' if r['crashed'] else ''})"
    return f"| {name} | {target} | {r['seconds']:.1f} s | {r['requests']} | {rate:.0f}/s | {found}{extra} |"


def run() -> str:
    demo = LoginConfig(
        url="/login", username="alice", password=Secret("correct horse battery staple"), logout_url="/logout"
    )
    rows = []
    targets = [
        (
            "examples/vulnerable_sessions.py",
            "examples.vulnerable_sessions:app",
            str(ROOT),
            demo,
            VULNERABLE_TRUTH,
            "ref",
        )
    ]
    planted = TARGETS / "planted_flaws_app.py"
    if planted.exists():
        try:
            import jinja2  # noqa: F401
            import lxml  # noqa: F401
        except ImportError:
            rows.append("| - | planted_flaws_app.py | skipped: needs lxml and jinja2 installed | | | |")
        else:
            login = LoginConfig(
                url="/login", username="alice", password=Secret(PLANTED_PASSWORD), logout_url="/logout"
            )
            targets.append(
                (
                    "shared planted_flaws_app.py",
                    "planted_flaws_app:app",
                    f"{TARGETS}:{ROOT}",
                    login,
                    PLANTED_TRUTH,
                    "sid",
                )
            )
    ratios = []
    for label, app, path, login, truth, skip in targets:
        polite = sentinel_run(app, path, login, truth, fast=False)
        fast = sentinel_run(app, path, login, truth, fast=True)
        rows.append(_row("sentinel scan (default, 10 req/s)", label, polite))
        rows.append(_row("sentinel scan (loopback preset)", label, fast))
        peer = wapiti_run(app, path, skip)
        if peer is not None:
            rows.append(_row(f"wapiti 3.2.3 (--skip {skip})", label, peer))
            ratios.append((label, fast, peer))
    lines = [
        "## Scanner: session flaws found, time and requests",
        "",
        "Each target is served on 127.0.0.1; requests are counted by the server's access log. "
        "Found = planted flaws detected (Sentinel) or vulnerability categories reported (wapiti).",
        "",
        "| Scanner | Target | Time | Requests | Rate | Found |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    for label, ours, peer in ratios:
        fewer = float(peer["requests"]) / max(1.0, float(ours["requests"]))  # type: ignore[arg-type]
        faster = float(peer["seconds"]) / max(0.01, float(ours["seconds"]))  # type: ignore[arg-type]
        lines.append(
            f"- {label}: Sentinel (loopback preset) sent {fewer:.0f}x fewer requests than wapiti "
            f"and took {faster:.1f}x less time."
        )
    if not WAPITI.exists():
        lines.append(
            "- wapiti3 was not installed (SENTINEL_BENCH_WAPITI); compare with the published figures in "
            "shared/targets/README.md: wapiti 3.2.3 found P6 (HttpOnly, Secure) and P8/P9 in 21.8 s and "
            "7,726 requests, and none of the session flaws P1-P5, P7."
        )
    lines.append(
        "- Both tools run their default checks, session and injection (Sentinel at level 1); the "
        "injection benchmark (`python -m bench injection`) compares the injection halves. wapiti runs with "
        "`--skip` on the parameter that carries the session ID: without it, its own payload comes back "
        "in a Set-Cookie and crashes its cookie jar (shared/targets/README.md)."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
