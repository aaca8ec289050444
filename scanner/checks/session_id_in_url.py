"""SNT101 session-id-in-url: a session ID travels in a URL.

**What it detects.** A session ID of the target appearing in a URL the target hands out or is asked
for: a ``Location`` header, a link or form action in an HTML page, or the URL of a request the crawl
made by following the target's own links. IDs are matched **by value**: every session cookie value the
target set during the scan is looked for, whatever the parameter is called (``?ref=<id>`` is found as
surely as ``?sid=<id>``). Parameters with session-like names (``sid``, ``jsessionid``, ``PHPSESSID``...)
carrying some other long value are reported with *firm* confidence.

URLs leak: into Referer headers sent to other sites, server and proxy logs, browser history,
bookmarks and shared links (the study notes' marketing e-mail went out carrying a marketer's live
session). Whoever reads the URL can use the session.

**CWE:** CWE-598 (Use of GET Request Method With Sensitive Query Strings).

**Example evidence.** ``GET /`` answered with ``<a href="/login?sid=[session-id]">``; the value is the
``sid`` cookie the same response set.

**How to fix.** Carry session IDs only in cookies. Turn off URL rewriting (``jsessionid`` and
friends), never build links or redirects with the ID, and refuse requests that carry one (Sentinel's
``SessionMiddleware`` answers them 400 by default).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urljoin, urlsplit

from scanner.auth.profile import SESSION_NAME_HINT
from scanner.checks._registry import CheckKind, check
from scanner.checks._session import id_carriers
from scanner.context import ScanContext
from scanner.discovery.html import parse_html
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.http.exchange import Exchange
from sentinel.sessions.config import COMMON_SESSION_PARAMS

RULE = Rule(
    id="SNT101",
    name="session-id-in-url",
    cwe=598,
    severity=Severity.HIGH,
    summary="A session ID appears in a URL (Location header, link, form action or request URL).",
)
_MIN_VALUE = 8


def known_session_ids(ctx: ScanContext) -> set[str]:
    """Every session-cookie value the target set during the scan."""
    names = {ctx.memo["session-cookie"]} if "session-cookie" in ctx.memo else set()
    ids = set()
    for exchange in ctx.engine.log:
        for cookie in exchange.set_cookies():
            if (cookie.name in names or SESSION_NAME_HINT.search(cookie.name)) and len(
                cookie.value
            ) >= _MIN_VALUE:
                ids.add(cookie.value)
    return ids


def _urls_in(exchange: Exchange) -> list[tuple[str, str]]:
    """(where, absolute URL) for the exchange's own URL, its Location, and its page's links and forms."""
    found = [("request URL", exchange.url)]
    if exchange.location:
        found.append(("Location header", urljoin(exchange.url, exchange.location)))
    if exchange.is_html:
        page = parse_html(exchange.text)
        found += [("link", urljoin(exchange.url, href)) for href, _ in page.links]
        found += [("form action", urljoin(exchange.url, f.action or exchange.url)) for f in page.forms]
    return found


def _named_params(url: str, ids: set[str]) -> list[str]:
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return [
        k for k, v in query if k.lower() in COMMON_SESSION_PARAMS and len(v) >= _MIN_VALUE and v not in ids
    ]


@check(name="session-id-in-url", kind=CheckKind.PASSIVE, rules=[RULE], order=90)
async def run(ctx: ScanContext) -> list[Finding]:
    ids = known_session_ids(ctx)
    findings: dict[str, Finding] = {}
    for exchange in list(ctx.engine.log):
        if exchange.crafted:
            continue
        for where, url in _urls_in(exchange):
            by_value = [(p, Confidence.CONFIRMED) for p in id_carriers(url, ids)]
            by_name = [(p, Confidence.FIRM) for p in _named_params(url, ids)]
            for parameter, confidence in by_value + by_name:
                how = "the session ID" if confidence is Confidence.CONFIRMED else "a session-like parameter"
                finding = ctx.finding(
                    RULE,
                    confidence=confidence,
                    severity=Severity.HIGH if confidence is Confidence.CONFIRMED else Severity.MEDIUM,
                    method=exchange.method,
                    url=exchange.url,
                    parameter=parameter,
                    message=f"{how} is carried in a URL ({where}: {ctx.redactor.text(url)})",
                    evidence=(ctx.evidence(f"{where} carries {how} in '{parameter}'", exchange),),
                )
                findings.setdefault(finding.fingerprint, finding)
    if not ids:
        ctx.details["session-id-in-url"] = "no session cookie was seen, so only parameter names were checked"
    return list(findings.values())
