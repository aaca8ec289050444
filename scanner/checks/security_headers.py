"""SNT213-SNT214 security-headers: pages can be framed, or responses sniffed, by the browser.

**What it detects.** Two response headers a browser needs from the site, judged over every answer
the scan's crawl saw and reported **once per site** (with how many pages lack it), not once per page:

- SNT213 missing-anti-framing (CWE-1021, low): an HTML page without ``X-Frame-Options: DENY`` or
  ``SAMEORIGIN`` and without a Content-Security-Policy ``frame-ancestors`` directive, so another site
  can load it in an invisible frame and trick clicks onto it (clickjacking).
- SNT214 missing-nosniff (CWE-693, low): an answer without ``X-Content-Type-Options: nosniff``, so a
  browser may "sniff" an upload or a JSON answer as HTML or script.

Only successful answers (2xx) to the scanner's own, unmodified requests count; redirects and error
pages are not judged.

**False-positive guards.** ``frame-ancestors`` in a CSP counts as anti-framing even without
``X-Frame-Options``; ``ALLOW-FROM`` (obsolete, ignored by browsers) does not.

**CWE:** per rule, as listed: CWE-1021, CWE-693.

**Example evidence.** ``GET /`` answered ``200 text/html`` with neither ``X-Frame-Options`` nor a CSP
``frame-ancestors``; 5 of 5 HTML pages lack it.

**How to fix.** Sentinel's ``SecurityHeadersMiddleware`` (in ``sentinel.protect()``) sends
``X-Frame-Options: DENY``, ``Content-Security-Policy: frame-ancestors 'none'`` and
``X-Content-Type-Options: nosniff``; any reverse proxy can add them too.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.findings import Confidence, Finding, Rule
from scanner.findings import Severity as Sev
from scanner.http.exchange import Exchange

ANTI_FRAMING = Rule(
    id="SNT213",
    name="missing-anti-framing",
    cwe=1021,
    severity=Sev.LOW,
    summary="HTML pages can be framed by another site: no X-Frame-Options, no CSP frame-ancestors.",
)
NOSNIFF = Rule(
    id="SNT214",
    name="missing-nosniff",
    cwe=693,
    severity=Sev.LOW,
    summary="Responses lack X-Content-Type-Options: nosniff, so browsers may sniff their type.",
)


def framable(exchange: Exchange) -> bool:
    xfo = (exchange.header("x-frame-options") or "").strip().lower()
    if xfo in ("deny", "sameorigin"):
        return False
    csp = " ".join(exchange.headers_all("content-security-policy")).lower()
    return "frame-ancestors" not in csp


def sniffable(exchange: Exchange) -> bool:
    return (exchange.header("x-content-type-options") or "").strip().lower() != "nosniff"


@check(name="security-headers", kind=CheckKind.PASSIVE, rules=[ANTI_FRAMING, NOSNIFF], order=91)
async def run(ctx: ScanContext) -> list[Finding]:
    answers = [
        e
        for e in list(ctx.engine.log)
        if not e.crafted and 200 <= e.status < 300 and ctx.engine.scope.allows(e.url)
    ]
    pages = [e for e in answers if e.is_html]
    findings = [
        f
        for f in (
            _site_finding(ctx, ANTI_FRAMING, pages, framable, "HTML page(s)", "can be framed by any site"),
            _site_finding(ctx, NOSNIFF, answers, sniffable, "answer(s)", "lack nosniff"),
        )
        if f is not None
    ]
    urls = {e.url for e in pages}, {e.url for e in answers}
    ctx.details["security-headers"] = f"{len(urls[0])} HTML page(s) and {len(urls[1])} answer(s) judged"
    return findings


def _site_finding(
    ctx: ScanContext,
    rule: Rule,
    answers: list[Exchange],
    lacks: Callable[[Exchange], bool],
    noun: str,
    what: str,
) -> Finding | None:
    by_url: dict[str, Exchange] = {}
    for exchange in answers:
        by_url.setdefault(exchange.url, exchange)
    bad = [e for e in by_url.values() if lacks(e)]
    if not bad:
        return None
    first = bad[0]
    shown = ", ".join(e.url for e in bad[:3]) + (f" (+{len(bad) - 3} more)" if len(bad) > 3 else "")
    return ctx.finding(
        rule,
        confidence=Confidence.CONFIRMED,
        method="GET",
        url=ctx.base_url,
        message=f"{len(bad)} of {len(by_url)} {noun} {what}: {shown}",
        evidence=(ctx.evidence(f"{first.method} {first.url}: the header is missing", first, body=False),),
    )


__all__ = ["ANTI_FRAMING", "NOSNIFF", "framable", "run", "sniffable"]
