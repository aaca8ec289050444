"""Run a scan: reach the target, discover, log in, run the selected checks, collect the result.

Order matters and is fixed: discovery first (anonymous, then logged in); session checks in their
``order``; active checks per insertion point; passive checks last, over the whole exchange log. A
check that cannot run is *skipped* with its reason; one that fails unexpectedly is an *error*; and
anything that makes the result unreliable (unreachable target, failed login, spent budget, a check
error) marks the scan incomplete, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx

from scanner.active.probe import coverage, untested
from scanner.active.session import remember
from scanner.auth.profile import ensure_logged_in, login_as_user
from scanner.checks._registry import CheckKind, CheckSpec, select
from scanner.config import ScanConfig
from scanner.context import ScanContext
from scanner.discovery.crawler import Crawler
from scanner.discovery.endpoints import load_endpoints_file
from scanner.discovery.openapi import parse_openapi
from scanner.discovery.reflect import add_reflection_points
from scanner.errors import (
    BudgetExhausted,
    CheckSkipped,
    IncompleteScan,
    LoginFailed,
    RequestFailed,
    ScanConfigError,
    ShareSpent,
    TargetUnreachable,
)
from scanner.findings import Finding
from scanner.http.engine import HttpEngine
from scanner.http.exchange import Exchange
from scanner.http.probe import ProbeClient
from scanner.plan import progress, run_active, share
from scanner.progress import Listener
from scanner.result import CheckResult, CheckStatus, ScanResult, ScanStats, utc_now
from scanner.scope import ScopeGuard
from sentinel._version import __version__

logger = logging.getLogger("scanner")
#: Session checks from this order on run after the active checks (they provoke lockouts).
LAST_ORDER = 80


async def _reach(ctx: ScanContext) -> None:
    async with ctx.engine.probe("reach") as probe:
        try:
            await probe.get(ctx.base_url)
        except RequestFailed as exc:
            raise TargetUnreachable(f"the target {ctx.base_url} did not answer ({exc.reason})") from exc


async def _openapi(ctx: ScanContext) -> None:
    """``--openapi``: a URL (``http(s)://``), a file (a path that exists, absolute or relative), or a
    path on the target (``/openapi.json``, also the default when it is served)."""
    source = ctx.config.openapi
    text: str | None = None
    if (
        source
        and not source.startswith(("http://", "https://"))
        and (Path(source).is_file() or not source.startswith("/"))
    ):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise ScanConfigError([f"cannot read --openapi file {source}: {exc.strerror or exc}"]) from exc
    else:
        url = ctx.engine.scope.resolve(source or "/openapi.json")
        if url is None:
            raise ScanConfigError([f"--openapi {source} is outside the scan's scope"])
        async with ctx.engine.probe("openapi") as probe:
            answer = await probe.get(url)
        if answer.status == 200 and answer.body.lstrip().startswith(b"{"):
            text = answer.text
        elif source:
            raise ScanConfigError([f"--openapi {url} answered HTTP {answer.status}, not an OpenAPI document"])
    if text is not None:
        try:
            endpoints = parse_openapi(text, ctx.base_url)
        except ScanConfigError:
            if source:
                raise
            return  # /openapi.json that is not OpenAPI 3: not ours to judge
        for endpoint in endpoints:
            if ctx.engine.scope.allows(endpoint.url.replace("{", "").replace("}", "")):
                ctx.discovery.add(endpoint)


async def _discover(ctx: ScanContext) -> None:
    config = ctx.config
    seeds = [ctx.base_url] + ([ctx.flow.login_url] if ctx.flow else [])
    async with ctx.engine.probe("crawl") as probe:
        await Crawler(probe, ctx.discovery, depth=config.crawl_depth, max_pages=config.max_pages).run(seeds)
    await _openapi(ctx)
    if config.endpoints_file is not None:
        for endpoint in load_endpoints_file(config.endpoints_file, ctx.base_url):
            if ctx.engine.scope.allows(endpoint.url):
                ctx.discovery.add(endpoint)


async def _crawl_logged_in(ctx: ScanContext) -> None:
    profile = await ctx.session()

    async def reauth(probe: ProbeClient, _: Exchange) -> bool:
        return await ensure_logged_in(profile, probe)

    async with ctx.engine.probe("crawl-logged-in") as probe:
        await login_as_user(profile, probe)
        remember(ctx, profile, probe)
        landed = profile.login.landed
        seeds = [ctx.base_url] + ([landed.url] if landed is not None else [])
        crawler = Crawler(
            probe, ctx.discovery, depth=ctx.config.crawl_depth, max_pages=ctx.config.max_pages, reauth=reauth
        )
        await crawler.run(seeds)
        if await ensure_logged_in(profile, probe):
            remember(ctx, profile, probe)


async def _run_one(ctx: ScanContext, spec: CheckSpec) -> list[Finding]:
    if spec.kind is CheckKind.ACTIVE:
        return await run_active(ctx, spec)
    return await spec.run(ctx)


async def _run_checks(
    ctx: ScanContext, specs: list[CheckSpec], incomplete: list[str]
) -> tuple[list[CheckResult], list[Finding]]:
    """Session checks, then active checks on budget shares (two passes, see :mod:`scanner.plan`),
    then the session checks that provoke the target (order >= :data:`LAST_ORDER`: brute force, whose
    lockout or throttle would answer the active checks' login-form probes), then passive checks."""
    outcomes: list[tuple[CheckResult, list[Finding]]] = []

    def stage(s: CheckSpec) -> int:
        if s.kind is CheckKind.SESSION:
            return 0 if s.order < LAST_ORDER else 2
        return 1 if s.kind is CheckKind.ACTIVE else 3

    ordered = sorted(specs, key=lambda s: (stage(s), s.order, s.name))
    active = [s for s in ordered if s.kind is CheckKind.ACTIVE]
    for spec in ordered:
        if spec.kind is CheckKind.ACTIVE:
            continue
        if stage(spec) > 1 and active:
            outcomes += await _run_active(ctx, active, incomplete)
            active = []
        outcome = await _attempt(ctx, spec, incomplete, last_pass=True)
        outcomes += [outcome] if outcome is not None else []
    if active:
        outcomes += await _run_active(ctx, active, incomplete)
    return [o[0] for o in outcomes], [f for o in outcomes for f in o[1]]


async def _run_active(
    ctx: ScanContext, specs: list[CheckSpec], incomplete: list[str]
) -> list[tuple[CheckResult, list[Finding]]]:
    """Each active check on its share; then the ones cut short again, on what the others left."""
    outcomes: list[tuple[CheckResult, list[Finding]]] = []
    cut: list[CheckSpec] = []
    for last_pass, batch in ((False, specs), (True, cut)):
        for index, spec in enumerate(batch):
            ctx.engine.budget.cap_share(share(ctx, len(batch) - index))
            try:
                outcome = await _attempt(ctx, spec, incomplete, last_pass=last_pass)
            finally:
                ctx.engine.budget.cap_share(None)
            if outcome is None:
                cut.append(spec)
            else:
                outcomes.append(outcome)
    return outcomes


async def _attempt(
    ctx: ScanContext, spec: CheckSpec, incomplete: list[str], *, last_pass: bool
) -> tuple[CheckResult, list[Finding]] | None:
    """Run one check and say how it went; ``None`` when it spent its share and may try again."""
    rules = tuple(r.id for r in spec.rules)
    if ctx.engine.budget.exhausted:
        return CheckResult(
            name=spec.name, status="not run", rules=rules, reason="request budget exhausted"
        ), []
    ctx.engine.listener.phase(f"check {spec.name}")
    try:
        found = await _run_one(ctx, spec)
        _count(ctx, found)
    except ShareSpent:
        if not last_pass:
            return None
        state = progress(ctx, spec.name)
        why = f"request budget spent after {state.describe()} (raise it with --max-requests)"
        _mark(incomplete, f"check {spec.name} did not finish: {why}")
        status: CheckStatus = "failed" if state.found else "error"
        return CheckResult(
            name=spec.name, status=status, rules=rules, reason=why, findings=len(state.found)
        ), (state.found)
    except CheckSkipped as exc:
        return CheckResult(name=spec.name, status="skipped", rules=rules, reason=exc.reason), []
    except LoginFailed as exc:
        _mark(incomplete, f"login failed: {exc}")
        return CheckResult(name=spec.name, status="skipped", rules=rules, reason=f"login failed: {exc}"), []
    except (BudgetExhausted, RequestFailed, ScanConfigError) as exc:
        _mark(incomplete, f"check {spec.name} did not finish: {exc}")
        if spec.kind is not CheckKind.ACTIVE:
            return CheckResult(name=spec.name, status="error", rules=rules, reason=str(exc)), []
        state = progress(ctx, spec.name)
        reason = f"{exc}, after {state.describe()}"
        status = "failed" if state.found else "error"
        return CheckResult(
            name=spec.name, status=status, rules=rules, reason=reason, findings=len(state.found)
        ), (state.found)
    except Exception as exc:  # a check bug must not sink the whole scan, but it is never silent
        logger.exception("check %s crashed", spec.name)
        _mark(incomplete, f"check {spec.name} crashed ({type(exc).__name__})")
        reason = f"{type(exc).__name__}: {exc}"
        return CheckResult(name=spec.name, status="error", rules=rules, reason=reason), []
    status = "failed" if found else "passed"
    reason = "" if found else ctx.details.get(spec.name, "")
    refused = untested(ctx, spec.name) if not found and spec.kind is CheckKind.ACTIVE else None
    if refused is not None:  # a check that tested no point has not passed (#13)
        status, reason = "skipped", refused
    points = coverage(ctx, spec.name)
    if found and points is not None:
        reason = points.summary()
    return CheckResult(
        name=spec.name,
        status=status,
        rules=rules,
        reason=reason,
        findings=len(found),
        points_tested=points.tested if points is not None else None,
        points_refused=points.refused_points if points is not None else None,
    ), found


def _count(ctx: ScanContext, found: list[Finding]) -> None:
    total = ctx.memo["findings-so-far"] = ctx.memo.get("findings-so-far", 0) + len(found)
    ctx.engine.listener.findings(total)


def _mark(incomplete: list[str], reason: str) -> None:
    if reason not in incomplete:
        incomplete.append(reason)


async def run_scan(
    config: ScanConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Listener | None = None,
) -> ScanResult:
    """Scan ``config.base_url``. Raises ScanConfigError for bad settings (before any request);
    every other problem ends up in the result (``incomplete``), never as an exception. ``progress``
    is told the phase, the requests and the findings as the scan goes (see :mod:`scanner.progress`)."""
    specs = select(config.checks, config.exclude_checks)
    started, clock = utc_now(), time.perf_counter()
    engine = HttpEngine(
        config.limits,
        ScopeGuard(config.base_url, config.extra_origins),
        transport=transport,
        headers=config.headers,
    )
    if progress is not None:
        engine.listener = progress
    ctx = ScanContext(config, engine)
    incomplete: list[str] = []
    results: list[CheckResult] = []
    findings: list[Finding] = []
    engine.listener.request(0, engine.budget.limit)
    try:
        engine.listener.phase("reaching the target")
        await _reach(ctx)
        engine.listener.phase("discovery")
        await _discover(ctx)
        if ctx.flow is not None and ctx.flow.config.has_credentials:
            engine.listener.phase("logging in and crawling with the session")
            try:
                await _crawl_logged_in(ctx)
            except LoginFailed as exc:
                _mark(incomplete, f"login failed: {exc}")
        if any(s.kind is CheckKind.ACTIVE for s in specs):
            await add_reflection_points(ctx)
        results, findings = await _run_checks(ctx, specs, incomplete)
    except IncompleteScan as exc:
        _mark(incomplete, str(exc))
    except RequestFailed as exc:
        _mark(incomplete, f"discovery did not finish: {exc}")
    done = {r.name for r in results}
    reason = "; ".join(incomplete) or "not run"
    results += [
        CheckResult(name=s.name, status="not run", rules=tuple(r.id for r in s.rules), reason=reason)
        for s in specs
        if s.name not in done
    ]
    unique = {f.fingerprint: f for f in findings}
    stats = ScanStats(
        requests=engine.stats.requests,
        retries=engine.stats.retries,
        throttled=engine.stats.throttled,
        pages=len(ctx.discovery.pages),
        endpoints=len(ctx.discovery.endpoints),
        duration_s=round(time.perf_counter() - clock, 2),
    )
    return ScanResult(
        target=config.base_url,
        started=started,
        finished=utc_now(),
        scanner_version=__version__,
        findings=tuple(sorted(unique.values(), key=Finding.sort_key)),
        checks=tuple(sorted(results, key=lambda r: r.name)),
        rules=tuple(sorted((r for s in specs for r in s.rules), key=lambda r: r.id)),
        notes=tuple(sorted(engine.notes)),
        incomplete=tuple(incomplete),
        stats=stats,
    )


__all__ = ["run_scan"]
