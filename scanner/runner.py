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

from scanner.active.points import insertion_points
from scanner.active.probe import coverage, untested
from scanner.auth.profile import ensure_logged_in, login_as_user
from scanner.checks._registry import CheckKind, CheckSpec, select
from scanner.config import ScanConfig
from scanner.context import ScanContext
from scanner.discovery.crawler import Crawler
from scanner.discovery.endpoints import load_endpoints_file
from scanner.discovery.openapi import parse_openapi
from scanner.errors import (
    BudgetExhausted,
    CheckSkipped,
    IncompleteScan,
    LoginFailed,
    RequestFailed,
    ScanConfigError,
    TargetUnreachable,
)
from scanner.findings import Finding
from scanner.http.engine import HttpEngine
from scanner.http.exchange import Exchange
from scanner.http.probe import ProbeClient
from scanner.result import CheckResult, CheckStatus, ScanResult, ScanStats, utc_now
from scanner.scope import ScopeGuard
from sentinel._version import __version__

logger = logging.getLogger("scanner")


async def _reach(ctx: ScanContext) -> None:
    async with ctx.engine.probe("reach") as probe:
        try:
            await probe.get(ctx.base_url)
        except RequestFailed as exc:
            raise TargetUnreachable(f"the target {ctx.base_url} did not answer ({exc.reason})") from exc


async def _openapi(ctx: ScanContext) -> None:
    source = ctx.config.openapi
    text: str | None = None
    if source and not source.startswith(("http://", "https://", "/")):
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
    profile = await ctx.profile()

    async def reauth(probe: ProbeClient, _: Exchange) -> bool:
        return await ensure_logged_in(profile, probe)

    async with ctx.engine.probe("crawl-logged-in") as probe:
        await login_as_user(profile, probe)
        crawler = Crawler(
            probe, ctx.discovery, depth=ctx.config.crawl_depth, max_pages=ctx.config.max_pages, reauth=reauth
        )
        await crawler.run([ctx.base_url])


async def _run_one(ctx: ScanContext, spec: CheckSpec) -> list[Finding]:
    if spec.kind is CheckKind.ACTIVE:
        found: list[Finding] = []
        for endpoint in ctx.discovery.sorted_endpoints():
            for point in insertion_points(ctx, endpoint):
                found += await spec.run(ctx, point)
        return found
    return await spec.run(ctx)


async def _run_checks(
    ctx: ScanContext, specs: list[CheckSpec], incomplete: list[str]
) -> tuple[list[CheckResult], list[Finding]]:
    results: list[CheckResult] = []
    findings: list[Finding] = []
    ordered = sorted(
        specs, key=lambda s: (s.kind is CheckKind.PASSIVE, s.kind is CheckKind.ACTIVE, s.order, s.name)
    )
    for spec in ordered:
        rules = tuple(r.id for r in spec.rules)
        if ctx.engine.budget.exhausted:
            results.append(
                CheckResult(name=spec.name, status="not run", rules=rules, reason="request budget exhausted")
            )
            continue
        try:
            found = await _run_one(ctx, spec)
        except CheckSkipped as exc:
            results.append(CheckResult(name=spec.name, status="skipped", rules=rules, reason=exc.reason))
            continue
        except LoginFailed as exc:
            results.append(
                CheckResult(name=spec.name, status="skipped", rules=rules, reason=f"login failed: {exc}")
            )
            _mark(incomplete, f"login failed: {exc}")
            continue
        except (BudgetExhausted, RequestFailed, ScanConfigError) as exc:
            results.append(CheckResult(name=spec.name, status="error", rules=rules, reason=str(exc)))
            _mark(incomplete, f"check {spec.name} did not finish: {exc}")
            continue
        except Exception as exc:  # a check bug must not sink the whole scan, but it is never silent
            logger.exception("check %s crashed", spec.name)
            results.append(
                CheckResult(
                    name=spec.name, status="error", rules=rules, reason=f"{type(exc).__name__}: {exc}"
                )
            )
            _mark(incomplete, f"check {spec.name} crashed ({type(exc).__name__})")
            continue
        status: CheckStatus = "failed" if found else "passed"
        reason = "" if found else ctx.details.get(spec.name, "")
        if not found and spec.kind is CheckKind.ACTIVE and (why := untested(ctx, spec.name)) is not None:
            status, reason = "skipped", why  # a check that tested no point has not passed (#13)
        points = coverage(ctx, spec.name)
        if found and points is not None:
            reason = points.summary()
        results.append(
            CheckResult(
                name=spec.name,
                status=status,
                rules=rules,
                reason=reason,
                findings=len(found),
                points_tested=points.tested if points is not None else None,
                points_refused=points.refused_points if points is not None else None,
            )
        )
        findings += found
    return results, findings


def _mark(incomplete: list[str], reason: str) -> None:
    if reason not in incomplete:
        incomplete.append(reason)


async def run_scan(config: ScanConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> ScanResult:
    """Scan ``config.base_url``. Raises ScanConfigError for bad settings (before any request);
    every other problem ends up in the result (``incomplete``), never as an exception."""
    specs = select(config.checks, config.exclude_checks)
    started, clock = utc_now(), time.perf_counter()
    engine = HttpEngine(config.limits, ScopeGuard(config.base_url, config.extra_origins), transport=transport)
    ctx = ScanContext(config, engine)
    incomplete: list[str] = []
    results: list[CheckResult] = []
    findings: list[Finding] = []
    try:
        await _reach(ctx)
        await _discover(ctx)
        if ctx.flow is not None and ctx.flow.config.has_credentials:
            try:
                await _crawl_logged_in(ctx)
            except LoginFailed as exc:
                _mark(incomplete, f"login failed: {exc}")
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
