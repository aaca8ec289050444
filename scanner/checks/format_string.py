"""SNT203 format-string-injection: user input becomes a Python ``str.format`` format string.

**What it detects.** Code like ``("Hello " + name + ", welcome to {site}!").format(site=site)``: the
input is part of the *format string*, so ``{site.__class__}``, ``{site.config[secret_key]}`` or
``{0.__init__.__globals__[KEY]}`` read attributes and globals of whatever objects are passed in
(secret keys, database URLs). Python's own escaping gives it away without reading anything:

1. *Brace unescaping.* ``k{{q}}`` comes back as ``k{q}``: only a format string turns ``{{`` into
   ``{``. The canaries are fresh each time and the literal input never contains ``k{q}``.
2. *Confirmation* with fresh canaries, then an *attribute field* ``k{0.__class__}q``, which shows
   ``k<class 'str'>q`` when a positional argument exists (reported as extra evidence, never needed).
3. *Error differential* (reported even when nothing is echoed): a lone ``{`` raises one of Python's
   format errors (``Single '{' encountered in format string``, ``unexpected '{' in field name``,
   or .NET's ``Input string was not in a correct format``) while the escaped ``{{`` does not. At
   level 1 it is tried only to back up an echo; at level 2 and 3 it runs on its own.

**Payloads.** ``k{{q}}``, ``k{0.__class__}q``, ``k{`` and ``k{{``. Nothing that reads a secret:
``__class__`` is the only attribute the scanner ever names (the safety guard refuses others).

**False-positive guards.** A template engine turns ``{{q}}`` into an empty string (or an error), not
into ``{q}``; a plain echo keeps ``{{q}}``; the error text must be new against the baseline and absent
with ``{{``. Curly braces never reach a shell or a database.

**CWE:** CWE-134 (Use of Externally-Controlled Format String).

**Example evidence.** ``GET /greet?name=kqzd{{bvtr}}`` answered ``Hello kqzd{bvtr}, welcome``;
``name=kqzd{`` answered ``500 ValueError: unexpected '{' in field name``.

**How to fix.** Never let input into the format string: pass it as an argument
(``"Hello {}, welcome to {}!".format(name, site)``), or use an f-string with the input as a value.
"""

from __future__ import annotations

import re

from scanner.active.canary import tokens
from scanner.active.probe import Attempt, PointProbe
from scanner.active.signatures import Signature, new_matches
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Evidence, Finding, Rule, Severity

NAME = "format-string-injection"
RULE = Rule(
    id="SNT203",
    name=NAME,
    cwe=134,
    severity=Severity.HIGH,
    summary="Input becomes a str.format format string: {{ is unescaped to {, a lone { raises.",
)
FORMAT_ERRORS = tuple(
    Signature(family=family, pattern=re.compile(pattern))
    for family, pattern in (
        ("Python", r"Single '[{}]' encountered in format string"),
        ("Python", r"expected '}' before end of string"),
        ("Python", r"unexpected '\{' in field name"),
        ("Python", r"unmatched '\{' in format spec"),
        ("Python", r"Replacement index \d+ out of range"),
        ("Python", r"cannot switch from (?:manual|automatic) field"),
        (".NET", r"Input string was not in a correct format"),
    )
)


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=62)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location == "xml":
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        base = await probe.baseline()
        if base is None:
            return []
        found = await unescaping(probe, base)
        if found is None and probe.profile.extra_contexts:
            errors = await error_differential(probe, base)
            if errors is not None:
                found = _finding(probe, "a lone { raises a format error that {{ does not", errors)
        return [found] if found is not None else []


async def _unescaped(probe: PointProbe) -> Attempt | None:
    """Send ``k{{q}}``; the attempt if it came back as ``k{q}``."""
    a, b = tokens(2)
    attempt = await probe.send(f"{probe.value}{a}{{{{{b}}}}}")
    return attempt if attempt is not None and f"{a}{{{b}}}" in attempt.text else None


async def unescaping(probe: PointProbe, base: Attempt) -> Finding | None:
    first = await _unescaped(probe)
    if first is None:
        return None
    again = await _unescaped(probe)
    if again is None:
        probe.near_miss("{{ came back as { once, not twice")
        return None
    evidence = [
        probe.evidence("'{{' came back as '{': the input is part of a format string", first),
        probe.evidence("again with fresh canaries", again),
    ]
    a, b = tokens(2)
    attribute = await probe.send(f"{probe.value}{a}{{0.__class__}}{b}")
    if attribute is not None and (shown := re.search(rf"{a}(<class '[\w.]+'>){b}", attribute.text)):
        evidence.append(probe.evidence(f"an attribute field was evaluated: {shown[1]}", attribute))
    errors = await error_differential(probe, base)
    if errors is not None:
        evidence += errors
    how = "'{{' is unescaped to '{'" + (" and a lone '{' raises a format error" if errors else "")
    return _finding(probe, how, tuple(evidence))


async def error_differential(probe: PointProbe, base: Attempt) -> tuple[Evidence, ...] | None:
    """A lone ``{`` raises a format error that ``{{`` does not; the evidence, or ``None``."""
    a = tokens(1)[0]
    lone = await probe.send(f"{probe.value}{a}{{")
    if lone is None or not (hits := new_matches(lone.text, base.text, FORMAT_ERRORS)):
        return None
    escaped = await probe.send(f"{probe.value}{a}{{{{")
    if escaped is None or new_matches(escaped.text, base.text, FORMAT_ERRORS):
        probe.near_miss("a format error did not disappear with '{{'")
        return None
    family, text = next(iter(hits.items()))
    return (
        probe.evidence(f"a lone '{{' raised a {family} format error: {text!r}", lone),
        probe.evidence("'{{' raised none", escaped),
    )


def _finding(probe: PointProbe, how: str, evidence: tuple[Evidence, ...]) -> Finding:
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=f"format-string injection in {probe.where}: {how}",
        evidence=evidence,
    )


__all__ = ["FORMAT_ERRORS", "RULE", "run"]
