"""SNT207 reflected-xss: input is reflected into an HTML page unescaped, as markup.

**What it detects.** A parameter echoed into ``text/html`` without HTML escaping, so a link can make
the page run an attacker's script in the victim's session (and read a session cookie without
``HttpOnly``). The probe is a harmless element with a random name and a random attribute,
``kqzd'"--></textarea></title></style></script></noscript><bvtrkxz data-kqzd=qmpw>``; the prefix
closes the usual enclosing contexts (attribute values, comments, raw-text elements).

1. *Attack*: the response must be HTML and a standard HTML parser must find the random element,
   with its random attribute, as a real element: outside comments, attribute values, ``<script>``,
   ``<style>``, ``<textarea>``, ``<title>`` and the other raw-text elements.
2. *Control*: the same canary without markup must be reflected too (the element did not come from
   somewhere else), and the baseline must not contain the element's name.
3. *Confirmation*: a fresh element and attribute, parsed again.

**Payloads.** The element above. No ``<script>``, no event handler, nothing that executes: a real
element is the proof.

**False-positive guards.** Escaped reflections (``&lt;``) do not parse as elements; JSON, plain-text
and other non-HTML answers are not HTML; reflections inside raw-text elements and comments are text.
A server-side template injection is also an XSS (its source is unescaped); both are reported.

**CWE:** CWE-79 (Improper Neutralization of Input During Web Page Generation).

**Example evidence.** ``GET /search?term=kqzd'"--><bvtrkxz data-kqzd=qmpw>`` answered ``text/html``
with ``<p>No results for kqzd'"--><bvtrkxz data-kqzd=qmpw></p>``.

**How to fix.** Escape on output with an autoescaping template engine (Jinja2 ``autoescape=True``,
Starlette's ``Jinja2Templates``) or ``html.escape``; add a Content-Security-Policy as a second line.
"""

from __future__ import annotations

from scanner.active.canary import tokens
from scanner.active.htmlctx import parses_as_element
from scanner.active.probe import Attempt, PointProbe
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "reflected-xss"
RULE = Rule(
    id="SNT207",
    name=NAME,
    cwe=79,
    severity=Severity.MEDIUM,
    summary="Input is reflected into an HTML page unescaped and parses as a real element.",
)
BREAKOUT = "'\"--></textarea></title></style></script></noscript>"


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=66)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location == "xml":
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        base = await probe.baseline()
        if base is None:
            return []
        first = await _element(probe, base)
        if first is None:
            return []
        canary = tokens(1)[0]
        control = await probe.send(f"{probe.value}{canary}")
        if control is None or canary not in control.exchange.text:
            probe.near_miss("an element parsed, but the plain canary was not reflected")
            return []
        again = await _element(probe, base)
        if again is None:
            probe.near_miss("an injected element parsed once, not twice")
            return []
        return [
            probe.finding(
                RULE,
                confidence=Confidence.CONFIRMED,
                message=(
                    f"reflected XSS in {probe.where}: the input is echoed unescaped into "
                    f"{first[0].exchange.content_type or 'HTML'} and parses as an element"
                ),
                evidence=(
                    probe.evidence(f"injected element <{first[1]}> parsed as markup", first[0]),
                    probe.evidence(f"again with a fresh element <{again[1]}>", again[0]),
                ),
            )
        ]


async def _element(probe: PointProbe, base: Attempt) -> tuple[Attempt, str] | None:
    """Inject a random element; the attempt and its tag if it parses as markup in an HTML answer."""
    prefix, tag, attribute, value = tokens(4)
    if tag in base.exchange.text:
        return None
    attempt = await probe.send(f"{probe.value}{prefix}{BREAKOUT}<{tag} data-{attribute}={value}>")
    if attempt is None or not attempt.exchange.is_html or f"<{tag}" not in attempt.exchange.text:
        return None
    if not parses_as_element(attempt.exchange.text, tag, f"data-{attribute}"):
        return None
    return attempt, tag


__all__ = ["BREAKOUT", "RULE", "run"]
