"""SNT206 template-injection: user input becomes part of a server-side template.

**What it detects.** ``Template("<p>Hello " + name + "</p>").render()`` and its kin in every engine:
the input is template *source*, so expressions in it run on the server (in Jinja2, Mako or Tornado
that is remote code execution). Detection is *delimited arithmetic*: ``kqzd{{417*283}}bvtr`` must
come back as ``kqzd118011bvtr``, the product between two fresh canaries, which no echo produces.

1. *Attack*, once per syntax: ``{{a*b}}`` (Jinja2, Tornado, Twig, Nunjucks, Django would refuse),
   ``${a*b}`` (Mako, FreeMarker, JSP/EL, Velocity-style), ``<%= a*b %>`` (ERB, EJS); at level 2 also
   ``#{a*b}`` (Ruby, Pug, JSF), ``{a*b}`` (Smarty), ``@(a*b)`` (Razor), ``[[${a*b}]]`` (Thymeleaf),
   ``{{=a*b}}`` (doT).
2. *Control*: the same canaries and numbers without the delimiters, ``kqzd417*283bvtr``: an app
   that evaluates arithmetic anywhere in its input (a calculator) shows the product here too, and
   is then not a template.
3. *Confirmation* in the same syntax with fresh numbers and canaries.
4. *Blind* (the rendered text is shown nowhere, errors become a status; ``{{ }}`` at level 1,
   ``${ }`` and ``<%= %>`` too at level 2): ``x{{a*b}}`` must answer
   like the baseline and ``x{{a*b`` (unclosed: a template syntax error) differently, in every round
   with fresh numbers. An app that rejects braces fails the closed twin; one that echoes input shows
   both alike once reflections are masked.
5. *Engine fingerprint* (reported, never required): string repetition and an upper-case filter
   tell Jinja2 from Tornado, Twig, Nunjucks, Mako, FreeMarker, ERB and EJS.

No precondition on a ``Server`` header or a framework: the arithmetic decides.

**Payloads.** Products of two random three-digit numbers between random canaries, and for the
fingerprint ``'k'*2`` and ``'k'|upper`` (or ``?upper_case``). No object walks, no ``config``, no
``self``, no imports (the safety guard refuses them).

**False-positive guards.** The product never appears in the request; the control rules out
calculators; a format-string injection turns ``{{`` into ``{`` and never multiplies.

**CWE:** CWE-1336 (Improper Neutralization of Special Elements Used in a Template Engine).

**Example evidence.** ``GET /hello?name=kqzd{{417*283}}bvtr`` answered ``Hello kqzd118011bvtr``;
``name=kqzd417*283bvtr`` answered ``Hello kqzd417*283bvtr``; the engine behaves like Jinja2.

**How to fix.** Render fixed templates with the input as *data*:
``env.from_string("<p>Hello {{ name }}</p>").render(name=name)`` (Jinja2 with autoescape), never
``from_string(... + name + ...)``. If users must write templates, use ``SandboxedEnvironment``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.active.boolean import Twin, differential
from scanner.active.canary import number, tokens
from scanner.active.probe import Attempt, PointProbe
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "template-injection"
RULE = Rule(
    id="SNT206",
    name=NAME,
    cwe=1336,
    severity=Severity.CRITICAL,
    summary="Input is rendered as template source: delimited arithmetic is evaluated on the server.",
)


@dataclass(frozen=True, kw_only=True)
class Syntax:
    """An expression delimiter; ``engines`` names who uses it; ``extra`` syntaxes run at level 2+."""

    open: str
    close: str
    engines: str
    extra: bool = False

    def wrap(self, expression: str) -> str:
        return f"{self.open}{expression}{self.close}"


SYNTAXES = (
    Syntax(open="{{", close="}}", engines="Jinja2, Tornado, Twig, Nunjucks"),
    Syntax(open="${", close="}", engines="Mako, FreeMarker, JSP EL, Velocity"),
    Syntax(open="<%= ", close=" %>", engines="ERB, EJS"),
    Syntax(open="#{", close="}", engines="Ruby interpolation, Pug, JSF", extra=True),
    Syntax(open="{", close="}", engines="Smarty", extra=True),
    Syntax(open="@(", close=")", engines="Razor", extra=True),
    Syntax(open="[[${", close="}]]", engines="Thymeleaf", extra=True),
    Syntax(open="{{=", close="}}", engines="doT", extra=True),
)

#: (syntax open, probe expression, what the engine family shows) for the fingerprint.
_FINGERPRINTS = {
    "{{": (("'{t}'*2", "python-like (Jinja2 or Tornado)"), ("'{t}'|upper", "Jinja2-like filter")),
    "${": (("'{t}'*2", "Mako"), ("'{t}'?upper_case", "FreeMarker")),
    "<%= ": (("'{t}'*2", "ERB (Ruby)"), ("'{t}'.toUpperCase()", "EJS (JavaScript)")),
}


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=64)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location == "xml":
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        if await probe.baseline() is None:
            return []
        syntaxes = [s for s in SYNTAXES if not s.extra or probe.profile.extra_contexts]
        for syntax in syntaxes:
            found = await _try(probe, syntax)
            if found is not None:
                return [found]
        # Blind: the three common syntaxes at level 2; at level 1 ``{{ }}`` only (one request if clean).
        for syntax in syntaxes[:3] if probe.profile.extra_contexts else syntaxes[:1]:
            found = await _blind(probe, syntax)
            if found is not None:
                return [found]
        return []


def syntax_twin(syntax: Syntax, value: str) -> Twin:
    """A closed expression (rendered, shown nowhere) against the same expression left unclosed."""
    x, y = number(101, 999), number(101, 999)
    return Twin(true=f"{value}{syntax.wrap(f'{x}*{y}')}", false=f"{value}{syntax.open}{x}*{y}")


async def _blind(probe: PointProbe, syntax: Syntax) -> Finding | None:
    """Nothing rendered is shown: the closed expression answers like the baseline, the unclosed one
    (a template syntax error) does not."""
    found = await differential(probe, lambda: syntax_twin(syntax, probe.value), probe.profile.boolean_rounds)
    if found is None:
        return None
    kept, broken = found.rounds[0]
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"blind server-side template injection in {probe.where} ({syntax.open}...{syntax.close}, "
            f"syntax used by {syntax.engines}): a closed expression answers like the baseline and the "
            f"same expression left unclosed does not; {found.describe()}"
        ),
        evidence=(
            probe.evidence("baseline", found.baseline),
            probe.evidence("closed expression: answers like the baseline", kept),
            probe.evidence("the same expression unclosed (a template syntax error)", broken),
        ),
    )


async def _arithmetic(
    probe: PointProbe, syntax: Syntax, *, delimited: bool = True
) -> tuple[Attempt, str] | None:
    """Send ``a{{x*y}}b`` (or, undelimited, ``ax*yb``); the attempt and the expected text if seen."""
    a, b = tokens(2)
    x, y = number(101, 999), number(101, 999)
    expression = f"{x}*{y}"
    inner = syntax.wrap(expression) if delimited else expression
    attempt = await probe.send(f"{probe.value}{a}{inner}{b}")
    expected = f"{a}{x * y}{b}"
    return (attempt, expected) if attempt is not None and expected in attempt.text else None


async def _try(probe: PointProbe, syntax: Syntax) -> Finding | None:
    first = await _arithmetic(probe, syntax)
    if first is None:
        return None
    control = await _arithmetic(probe, syntax, delimited=False)
    if control is not None:
        probe.near_miss(f"arithmetic is evaluated even without {syntax.open} delimiters (not a template)")
        return None
    again = await _arithmetic(probe, syntax)
    if again is None:
        probe.near_miss(f"{syntax.open}...{syntax.close} arithmetic did not repeat")
        return None
    engine = await _fingerprint(probe, syntax)
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"server-side template injection in {probe.where}: {syntax.open}a*b{syntax.close} is "
            f"evaluated between two canaries ({engine})"
        ),
        evidence=(
            probe.evidence(f"delimited arithmetic evaluated: {first[1]!r}", first[0]),
            probe.evidence(f"again with fresh numbers: {again[1]!r}", again[0]),
        ),
    )


async def _fingerprint(probe: PointProbe, syntax: Syntax) -> str:
    known = _FINGERPRINTS.get(syntax.open)
    if known is None:
        return f"syntax used by {syntax.engines}"
    seen = []
    for template, label in known:
        a, b, t = tokens(3)
        expression = template.format(t=t)
        expected = t * 2 if "*2" in template else t.upper()
        attempt = await probe.send(f"{probe.value}{a}{syntax.wrap(expression)}{b}")
        if attempt is not None and f"{a}{expected}{b}" in attempt.text:
            seen.append(label)
    if syntax.open == "{{" and len(seen) == 2:
        return "the engine behaves like Jinja2"
    if seen:
        return "the engine behaves like " + " and ".join(seen)
    return f"engine not fingerprinted; syntax used by {syntax.engines}"


__all__ = ["RULE", "SYNTAXES", "run"]
