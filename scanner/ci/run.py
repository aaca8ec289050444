"""Run both halves of the gate and collect one :class:`GateResult`.

bandit starts first, in its own process; the dynamic half (serve the app if asked, then scan) runs
meanwhile; then the gate waits for bandit. Both halves take the same baseline. Whatever fails inside
a half (a file bandit cannot parse, an app that will not start, a login that does not take) ends up
in that half's result as a reason it is incomplete, never as an exception, so the reports always
get written and the exit code says 2.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass, replace

from scanner.baseline import BaselineEntry, apply_baseline, load_baseline
from scanner.checks import select
from scanner.ci.config import GateConfig
from scanner.ci.serve import AppFailed, AppServer
from scanner.result import CheckResult, ScanResult, utc_now
from scanner.runner import run_scan
from scanner.static.bandit_run import BanditRun
from scanner.static.baseline import apply_static_baseline
from scanner.static.findings import StaticResult
from sentinel._version import __version__


@dataclass(frozen=True, kw_only=True)
class GateResult:
    """Both halves' results (``None`` for a half that was not asked for) and the settings used."""

    config: GateConfig
    static: StaticResult | None
    dynamic: ScanResult | None

    @property
    def complete(self) -> bool:
        return all(r is None or r.complete for r in (self.static, self.dynamic))

    @property
    def baseline_problems(self) -> tuple[str, ...]:
        found = [p for r in (self.static, self.dynamic) if r is not None for p in r.baseline_problems]
        return tuple(dict.fromkeys(found))


def _not_run(config: GateConfig, target: str, reason: str) -> ScanResult:
    """The dynamic half's result when the target never came up: every check ``not run``."""
    specs = select(config.checks, config.exclude_checks)
    now = utc_now()
    return ScanResult(
        target=target,
        started=now,
        finished=now,
        scanner_version=__version__,
        findings=(),
        checks=tuple(
            CheckResult(name=s.name, status="not run", rules=tuple(r.id for r in s.rules), reason=reason)
            for s in sorted(specs, key=lambda s: s.name)
        ),
        rules=tuple(sorted((r for s in specs for r in s.rules), key=lambda r: r.id)),
        incomplete=(reason,),
    )


def run_dynamic(config: GateConfig) -> ScanResult:
    """Scan ``config.url``, or serve ``config.app`` on loopback and scan it."""
    if config.url is not None:
        return asyncio.run(run_scan(config.scan_config(config.url)))
    app = config.app or ""
    server = AppServer(
        app,
        app_dir=config.app_dir or config.root,
        env=dict(config.app_env),
        startup_timeout=config.startup_timeout,
    )
    try:
        with server as url:
            result = asyncio.run(run_scan(config.scan_config(url)))
            try:
                server.check_alive()
            except AppFailed as exc:
                result = replace(result, incomplete=(*result.incomplete, f"during the scan, {exc}"))
    except AppFailed as exc:
        return _not_run(config, app, str(exc))
    return replace(result, notes=tuple(sorted((*result.notes, f"the gate served {app} at {url}"))))


def _entries(config: GateConfig) -> list[BaselineEntry]:
    """The baseline's entries. Recording the first baseline needs none: a missing file is empty then."""
    path = config.baseline
    if path is None or (config.write_baseline is not None and not path.exists()):
        return []
    return load_baseline(path)


def run_gate(config: GateConfig, *, today: dt.date | None = None) -> GateResult:
    """Run the halves ``config`` asks for and apply the baseline to both."""
    entries = _entries(config)
    static: StaticResult | None = None
    dynamic: ScanResult | None = None
    with ExitStack() as stack:
        bandit = stack.enter_context(BanditRun(config.static)) if config.static is not None else None
        if config.dynamic:
            dynamic = run_dynamic(config)
        if bandit is not None:
            static = bandit.result()
    if entries and static is not None:
        static = apply_static_baseline(static, entries, today=today, new_only=config.new_only)
    if entries and dynamic is not None:
        dynamic = apply_baseline(dynamic, entries, today=today, new_only=config.new_only)
    return GateResult(config=config, static=static, dynamic=dynamic)


__all__ = ["GateResult", "run_dynamic", "run_gate"]
