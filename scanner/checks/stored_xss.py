"""SNT215 stored-xss: input is stored and later shown unescaped, as markup, on another page.

**What it detects.** Second-order cross-site scripting: a form field (a guestbook message, a profile
name, a comment) saved by the app and rendered into a page that *other* visitors load, without HTML
escaping. Every visitor of that page then runs the attacker's script; no link needs to be clicked.

1. *Plant*: each form and JSON field of every state-changing endpoint (``POST``, ``PUT``, ``PATCH``;
   never logout, delete or password-change forms, never password or token fields), and each query
   parameter of a ``GET`` link named like content (``comment``, ``message``, ``text``...), gets its
   own harmless random element, ``kqzd--></textarea>...<bvtrkxz/data-kqzd=qmpw>`` (no quote: a
   field pasted into an SQL ``INSERT`` must still store it), submitted once.
2. *Recrawl*: every page the crawl found, the submitted endpoints' own pages and the pages their
   answers redirected to are fetched again, anonymously, with a plain ``GET``. A standard HTML parser
   must find one of the planted elements, with its attribute, as a real element (not inside a comment,
   an attribute value or a raw-text element such as ``<textarea>``).
3. *Confirmation*: a fresh element submitted to the same field must appear, parsed, on the same page.

The finding names the field where the element was submitted and the page where it appears.

**Payloads.** The element above, the same as the reflected-XSS check's: no ``<script>``, no event
handler, nothing that runs; a parsed element is the proof. At most :data:`MAX_POINTS` fields and
:data:`MAX_PAGES` pages per scan.

**False-positive guards.** The element's name is random and new, so it cannot come from anywhere
but this submission; escaped output (``&lt;``) does not parse; a reflection in the submission's own
answer is not counted (that is the reflected-XSS check's business): only a separate, later ``GET``.

**CWE:** CWE-79 (Improper Neutralization of Input During Web Page Generation).

**Example evidence.** ``POST /guestbook`` with ``message=Hello'"--><bvtrkxz data-kqzd=qmpw>``, then
``GET /guestbook`` showed ``<li><b>guest</b>: Hello'"--><bvtrkxz data-kqzd=qmpw></li>``.

**How to fix.** Escape on output, where the data is rendered (an autoescaping template engine, or
``html.escape``), whatever was checked on input; a Content-Security-Policy as a second line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from scanner.active.canary import tokens
from scanner.active.htmlctx import parses_as_element
from scanner.active.points import describe, insertion_points
from scanner.active.probe import Attempt, PointProbe, untested
from scanner.checks._registry import CheckKind, check
from scanner.checks.reflected_xss import BREAKOUT
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.discovery.filters import is_dangerous
from scanner.errors import CheckSkipped, RequestFailed
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.http.exchange import Exchange

NAME = "stored-xss"
RULE = Rule(
    id="SNT215",
    name=NAME,
    cwe=79,
    severity=Severity.HIGH,
    summary="Input is stored and shown unescaped, as a real element, on a page fetched later.",
)
#: The reflected check's context breakout without its quotes: an app that pastes the field into SQL
#: (a guestbook's INSERT) would fail on a quote and store nothing.
BREAKOUT_STORED = BREAKOUT.replace("'", "").replace('"', "")
MAX_POINTS = 40
MAX_PAGES = 60
_UNSAFE_METHODS = ("POST", "PUT", "PATCH")
#: Query parameters of GET links that may be stored (a guestbook that saves ``?comment=``).
CONTENT = re.compile(
    r"comment|message|msg|text|body|content|note|post|review|entry|title|bio|description", re.I
)


@dataclass(frozen=True, kw_only=True)
class Planted:
    point: InsertionPoint
    tag: str
    attribute: str
    submitted: Attempt


def _points(ctx: ScanContext) -> list[InsertionPoint]:
    found: list[InsertionPoint] = []
    for endpoint in ctx.discovery.sorted_endpoints():
        if is_dangerous(endpoint.url):
            continue
        points = insertion_points(ctx, endpoint)
        if endpoint.method in _UNSAFE_METHODS:
            found += [p for p in points if p.parameter.location in ("form", "json")]
        else:  # apps that store from a GET link (?comment=...): only fields named like content
            found += [
                p for p in points if p.parameter.location == "query" and CONTENT.search(p.parameter.name)
            ]
    return found[:MAX_POINTS]


async def _plant(ctx: ScanContext, point: InsertionPoint) -> Planted | None:
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        prefix, tag, attribute, value = tokens(4)
        # "/" between the tag and its attribute, as HTML allows: a server that decodes "+" as "+"
        # (not a space) still stores a real element.
        attempt = await probe.send(f"{probe.value}{prefix}{BREAKOUT_STORED}<{tag}/data-{attribute}={value}>")
    if attempt is None:
        return None
    return Planted(point=point, tag=tag, attribute=f"data-{attribute}", submitted=attempt)


def _pages(ctx: ScanContext, planted: list[Planted]) -> list[str]:
    scope = ctx.engine.scope
    urls = list(ctx.discovery.pages)
    for item in planted:
        urls.append(item.point.endpoint.url)
        location = item.submitted.exchange.location
        if location and (resolved := scope.resolve(location, item.submitted.exchange.url)) is not None:
            urls.append(resolved)
    unique = list(dict.fromkeys(u for u in urls if scope.allows(u) and not is_dangerous(u)))
    return unique[:MAX_PAGES]


async def _fetch(ctx: ScanContext, urls: list[str]) -> list[Exchange]:
    pages: list[Exchange] = []
    async with ctx.engine.probe(f"{NAME}:recrawl", crafted=True) as probe:
        for url in urls:
            try:
                pages.append(await probe.get(url, use_cookies=False))
            except RequestFailed:
                continue
    return [p for p in pages if p.is_html]


def _shows(page: Exchange, tag: str, attribute: str) -> bool:
    return f"<{tag}" in page.text and parses_as_element(page.text, tag, attribute)


@check(name=NAME, kind=CheckKind.SESSION, rules=[RULE], order=86)
async def run(ctx: ScanContext) -> list[Finding]:
    points = _points(ctx)
    if not points:
        raise CheckSkipped("not tested: no form or JSON field of a POST/PUT/PATCH endpoint to submit to")
    planted = [p for point in points if (p := await _plant(ctx, point)) is not None]
    why = untested(ctx, NAME)
    if why is not None:
        raise CheckSkipped(why)
    pages = await _fetch(ctx, _pages(ctx, planted))
    findings: list[Finding] = []
    for item in planted:
        shown = next((page for page in pages if _shows(page, item.tag, item.attribute)), None)
        if shown is None:
            continue
        found = await _confirm(ctx, item, shown)
        if found is not None:
            findings.append(found)
    ctx.details[NAME] = (
        f"{len(planted)} field(s) submitted, {len(pages)} page(s) fetched again; no element came back"
    )
    return findings


async def _confirm(ctx: ScanContext, item: Planted, shown: Exchange) -> Finding | None:
    again = await _plant(ctx, item.point)
    if again is None:
        return None
    pages = await _fetch(ctx, [shown.url])
    if not pages or not _shows(pages[0], again.tag, again.attribute):
        return None
    endpoint = item.point.endpoint
    parts = urlsplit(shown.url)
    where = f"{shown.method} {parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    async with PointProbe.open(ctx, item.point, check=NAME) as probe:
        return probe.finding(
            RULE,
            confidence=Confidence.CONFIRMED,
            message=(
                f"stored XSS: {describe(item.point)} of {endpoint.method} {urlsplit(endpoint.url).path} "
                f"is stored and shown unescaped on {where}, where the element <{item.tag}> parses as markup"
            ),
            evidence=(
                probe.evidence(f"submitted element <{item.tag}>", item.submitted),
                ctx.evidence(f"{where} shows it as a real element", shown),
                ctx.evidence(f"a fresh element <{again.tag}> shows up there too", pages[0]),
            ),
        )


__all__ = ["MAX_PAGES", "MAX_POINTS", "RULE", "run"]
