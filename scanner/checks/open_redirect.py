"""SNT211 open-redirect: input decides where the app redirects, including to another site.

**What it detects.** A ``next``/``url``/``return_to`` parameter copied into ``Location`` (or a
``Refresh`` header, or a ``<meta http-equiv="refresh">``) without checking that it stays on the site:
a link on the real domain then lands the victim on a phishing page, and an OAuth-style flow can leak
tokens to it.

1. *Attack*: the value replaced by ``https://sntl<canary>.invalid/<canary>``: a host under the
   reserved ``.invalid`` domain (RFC 2606), which no DNS ever resolves. The answer must send the
   browser there: a 3xx ``Location``, a ``Refresh`` header or a meta refresh whose resolved host is the
   canary host. At level 2 also the scheme-relative ``//sntl<canary>.invalid/``.
2. *Confirmation*: a fresh canary host, the same result.

Which points: at level 1 those named like a destination (``next``, ``url``, ``redirect``, ``return``,
``goto``, ``dest``, ``continue``...) or whose value is a URL or a path; at level 2 every point.

**Payloads.** ``https://sntl<canary>.invalid/<canary>`` and ``//sntl<canary>.invalid/<canary>``,
nothing else: the safety guard refuses any URL whose host is not a canary under ``.invalid``.

**The scanner never follows the redirect**: active probes do not follow redirects at all, and the
scope guard refuses any request off the target.

**False-positive guards.** Only the canary host counts (a redirect to the login page is not one); the
host is random, so nothing else can send the browser there.

**CWE:** CWE-601 (URL Redirection to Untrusted Site).

**Example evidence.** ``GET /go?next=https://sntlkqzdbvt.invalid/qmpw`` answered ``302`` with
``Location: https://sntlkqzdbvt.invalid/qmpw``.

**How to fix.** Redirect only to relative paths on your own site (reject ``//`` and ``/\\``), or to a
whitelist of destinations; compare the parsed host, never a prefix of the string.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from scanner.active.canary import token
from scanner.active.probe import Attempt, PointProbe
from scanner.active.safety import CANARY_TLD
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "open-redirect"
RULE = Rule(
    id="SNT211",
    name=NAME,
    cwe=601,
    severity=Severity.MEDIUM,
    summary="Input decides the redirect target: the app sends the browser to an injected external host.",
)
DESTINATION = re.compile(
    r"url|uri|redir|next|return|goto|dest|target|continue|forward|callback|back|location|link|to$|^r$|^u$",
    re.I,
)
_META_REFRESH = re.compile(
    r"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[\"']?[^>]*content\s*=\s*[\"'][^\"']*url\s*=\s*([^\"'>\s]+)",
    re.I,
)
_REFRESH_URL = re.compile(r"url\s*=\s*(\S+)", re.I)


def worth_trying(point: InsertionPoint, every: bool) -> bool:
    p = point.parameter
    if p.location in ("xml", "header"):
        return False
    value = p.value.strip()
    return every or bool(DESTINATION.search(p.name)) or value.startswith(("/", "http://", "https://"))


def destinations(attempt: Attempt) -> list[tuple[str, str]]:
    """(how, absolute URL) for every place the answer sends the browser to."""
    exchange = attempt.exchange
    found: list[tuple[str, str]] = []
    if exchange.location:
        found.append(("Location header", exchange.location))
    refresh = exchange.header("refresh")
    if refresh and (m := _REFRESH_URL.search(refresh)):
        found.append(("Refresh header", m[1]))
    if exchange.is_html:
        found += [("meta refresh", m) for m in _META_REFRESH.findall(exchange.text)]
    return [(how, urljoin(exchange.url, target.strip("'\""))) for how, target in found]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=67)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        if not worth_trying(point, probe.profile.extra_contexts):
            return []
        if await probe.baseline() is None:
            return []
        forms = [("absolute URL", "https:")]
        if probe.profile.extra_contexts:
            forms.append(("scheme-relative URL", ""))
        for name, scheme in forms:
            first = await _redirected(probe, scheme)
            if first is None:
                continue
            again = await _redirected(probe, scheme)
            if again is None:
                probe.near_miss(f"a redirect to an injected host ({name}) did not repeat")
                continue
            return [
                probe.finding(
                    RULE,
                    confidence=Confidence.CONFIRMED,
                    message=(
                        f"open redirect in {probe.where} ({name}): the answer sends the browser to the "
                        f"injected external host {first[1]} ({first[2]})"
                    ),
                    evidence=(
                        probe.evidence(f"{first[2]} points to {first[1]}", first[0]),
                        probe.evidence(f"again with a fresh host {again[1]}", again[0]),
                    ),
                )
            ]
        return []


async def _redirected(probe: PointProbe, scheme: str) -> tuple[Attempt, str, str] | None:
    host = f"sntl{token()}.{CANARY_TLD}"
    attempt = await probe.send(f"{scheme}//{host}/{token()}")
    if attempt is None:
        return None
    for how, url in destinations(attempt):
        if _host(url) == host:
            return attempt, host, how
    return None


__all__ = ["DESTINATION", "RULE", "destinations", "run"]
