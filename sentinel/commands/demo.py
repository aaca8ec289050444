"""``sentinel demo``: the main job on embedded defaults, in well under a minute.

It serves two apps on loopback, the deliberately vulnerable ``examples/vulnerable_sessions.py`` and
the hardened ``examples/app.py``, scans both with ``sentinel scan``'s engine (logged in as the demo
user), prints the two reports side by side, writes one self-contained HTML report (its path is
printed), stops both servers and exits.

The bind address comes from ``--host`` (``SENTINEL_HOST``, default 127.0.0.1) and the ports from
``--port``/``--vulnerable-port`` (``SENTINEL_PORT``/``SENTINEL_VULNERABLE_PORT``; 0, the default,
picks free ports). The host must be a loopback address: one of the apps is vulnerable on purpose.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import socket
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentinel.extras import install_hint

if TYPE_CHECKING:
    from scanner.result import ScanResult

DEMO_USER = "alice"
DEMO_PASSWORD = "correct horse battery staple"  # noqa: S105 - the documented demo credential
DEFAULT_REPORT = "sentinel-demo-report.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Scan a deliberately vulnerable app and the hardened app side by side."
    parser.add_argument("--host", default=os.environ.get("SENTINEL_HOST", "127.0.0.1"), help="loopback only")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("SENTINEL_PORT", "0")), help="hardened app"
    )
    parser.add_argument(
        "--vulnerable-port", type=int, default=int(os.environ.get("SENTINEL_VULNERABLE_PORT", "0"))
    )
    parser.add_argument("--output", type=Path, default=Path(DEFAULT_REPORT), help="the HTML report")
    parser.add_argument("--verbose", action="store_true", help="also show the apps' security events")


class _Server:
    """A uvicorn server on a socket we bound ourselves, running in a daemon thread."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        import uvicorn

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        bound = self.sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound}/"
        config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            self.thread.join(0.05)
        raise OSError(f"the demo server at {self.url} did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


async def _scan_both(urls: list[str]) -> list[ScanResult]:
    from scanner import LOOPBACK_LIMITS, LoginConfig, ScanConfig, run_scan
    from sentinel.keys import Secret

    login = LoginConfig(
        url="/login", username=DEMO_USER, password=Secret(DEMO_PASSWORD), logout_url="/logout"
    )
    configs = [ScanConfig(base_url=url, login=login, limits=LOOPBACK_LIMITS) for url in urls]
    return list(await asyncio.gather(*(run_scan(c) for c in configs)))


def _cell(result: ScanResult, rule_id: str) -> Any:
    from rich.text import Text

    from scanner.findings import Severity

    check = next((c for c in result.checks if rule_id in c.rules), None)
    mine = [f for f in result.findings if f.rule.id == rule_id]
    if mine:
        worst = max(f.severity for f in mine)
        count = f" x{len(mine)}" if len(mine) > 1 else ""
        return Text(f"FOUND {worst.label}{count}", style="red" if worst >= Severity.MEDIUM else "cyan")
    if check is None or check.status in ("passed", "failed"):
        return Text("pass", style="green")
    return Text(check.status, style="yellow")


def _print(results: list[ScanResult], titles: list[str]) -> None:
    """One row per rule, one column per app: the two reports side by side."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="sentinel scan, same settings, both apps")
    table.add_column("Rule", no_wrap=True)
    for title in titles:
        table.add_column(title, no_wrap=True)
    rules = sorted({r.id: r for res in results for r in res.rules}.values(), key=lambda r: r.id)
    for rule in rules:
        table.add_row(Text(f"{rule.id} {rule.name}"), *(_cell(r, rule.id) for r in results))
    summary = [f"{len(r.findings)} findings, {r.stats.duration_s:.1f} s" for r in results]
    table.add_row("", *(Text(s, style="dim") for s in summary))
    Console().print(table)
    for result in results:
        for check in result.checks:
            if check.status in ("skipped", "error", "not run"):
                print(f"  {result.target} {check.name}: {check.summary}")


def _docs_base(output: Path) -> str | None:
    """The ``docs/checks/`` pages, relative to the report (links keep working if both move
    together), or ``None`` when this install has no docs folder."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "checks"
    if not docs.is_dir():
        return None
    return Path(os.path.relpath(docs, output.resolve().parent)).as_posix() + "/"


def run(args: argparse.Namespace) -> int:
    from sentinel.cli import CLIError

    try:
        import httpx  # noqa: F401
        import rich  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise CLIError(f"the demo needs the 'demo' extra: {install_hint('demo')}") from exc
    from scanner.report.htmlfmt import render_html_document
    from scanner.scope import is_loopback_host

    if not is_loopback_host(args.host):
        raise CLIError(f"--host {args.host} is not loopback; the demo serves a deliberately vulnerable app")
    os.environ.setdefault("SENTINEL_SECRET_KEYS", secrets.token_urlsafe(48))  # a per-run demo key
    if not args.verbose:  # the hardened app logs every attack it repels; the table says it better
        logging.getLogger("sentinel.security").setLevel(logging.ERROR)
    try:
        from examples.app import app as hardened
        from examples.vulnerable_sessions import app as vulnerable
    except ImportError as exc:
        raise CLIError("run it from the project root (examples/ must be importable)") from exc
    titles = ["vulnerable_sessions.py", "app.py (hardened)"]
    labels = ["Vulnerable: examples/vulnerable_sessions.py", "Hardened: examples/app.py (Sentinel)"]
    print("Serving both examples on loopback and scanning them (authorised targets: our own demo apps)...")
    with (
        _Server(vulnerable, args.host, args.vulnerable_port) as bad,
        _Server(hardened, args.host, args.port) as good,
    ):
        results = asyncio.run(_scan_both([bad.url, good.url]))
    _print(results, titles)
    page = render_html_document(
        results,
        "Sentinel demo: vulnerable vs hardened",
        labels=labels,
        docs_base=_docs_base(args.output),
    )
    args.output.write_text(page, encoding="utf-8")
    print(f"HTML report: {args.output.resolve()}")
    incomplete = [r for r in results if not r.complete]
    for r in incomplete:
        print(
            f"sentinel demo: the scan of {r.target} was incomplete: {'; '.join(r.incomplete)}",
            file=sys.stderr,
        )
    return 2 if incomplete else 0
