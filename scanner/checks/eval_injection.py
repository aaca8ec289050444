"""SNT204 eval-injection: user input is evaluated as Python code (``eval``/``exec``).

**What it detects.** ``eval(expr)`` on input, even with ``{"__builtins__": {}}`` (not a sandbox:
object graphs lead back to ``os``). The scanner never runs a command; it asks for what only real code
evaluation can produce, and what a safe arithmetic calculator (``ast``-based, or a parser that
really computes ``7*191 = 1337``) cannot:

1. *String repetition*, ``'kqzd'*3``, which must come back as ``kqzdkqzdkqzd``: a string the request
   never contained. Tried in several syntactic contexts: a bare expression, after closing a
   single-quoted string (``x'+'kqzd'*3+'``), and (level 2) a double-quoted one.
2. *Control*: the same characters with the operator inside the string (``'kqzd*3'``): no repetition.
3. *Confirmation* in the same context with fresh canaries and a different operation, an attribute
   call: ``'bvtr'.upper()`` must come back as ``BVTR``.
4. *Blind* (nothing evaluated is shown, errors swallowed into a status): a syntax differential in
   the same context (the bare expression at level 1, every context at level 2).
   ``x+0*('kqzd'[1:]=='kqzd')`` keeps the expression valid, and only in Python (SQL, XPath and
   JavaScript reject the slice), and computes the baseline's own value; ``x+0*('kqzd'[1:=='kqzd')``
   is the same text broken. The kept twin must answer like the baseline and the broken one
   differently, in every round with fresh canaries. A page that answers 500 to any odd input fails
   the kept twin, so it is not reported.

**Payloads.** ``'k'*n``, ``'k'.upper()`` and their quoted-context forms. Never an import, a
``__class__`` walk, ``open`` or an OS command: the safety guard refuses them.

**False-positive guards.** The repeated string is never in the request; a calculator that evaluates
arithmetic does not multiply strings; an app that upper-cases everything it echoes does not repeat
strings, and must pass both operations. Template engines are the template check's business: these
payloads carry no template delimiters.

**CWE:** CWE-95 (Eval Injection).

**Example evidence.** ``GET /calc?expr='kqzd'*3`` answered ``Result: kqzdkqzdkqzd``;
``expr='bvtr'.upper()`` answered ``Result: BVTR``.

**How to fix.** Do not evaluate input. For arithmetic, parse it with ``ast.parse(mode="eval")`` and
walk a whitelist of number and operator nodes; for data, use ``json.loads`` or
``ast.literal_eval``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.active.boolean import Twin, differential
from scanner.active.canary import number, token
from scanner.active.probe import PointProbe
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "eval-injection"
RULE = Rule(
    id="SNT204",
    name=NAME,
    cwe=95,
    severity=Severity.CRITICAL,
    summary="Input is evaluated as code: string repetition and method calls only an evaluator produces.",
)


@dataclass(frozen=True, kw_only=True)
class CodeContext:
    """``wrap(value, expression)`` puts an expression where the context evaluates it."""

    name: str
    wrap: Callable[[str, str], str]
    extra: bool = False


CONTEXTS = (
    CodeContext(name="bare expression", wrap=lambda v, e: e),
    CodeContext(name="single-quoted string", wrap=lambda v, e: f"{v}'+{e}+'"),
    CodeContext(name="double-quoted string", wrap=lambda v, e: f'{v}"+{e}+"', extra=True),
)


def repetition(quote: str) -> tuple[str, str, str]:
    """``('k'*n, 'k*n', kkk...)``: the expression, its inert control, and what evaluation yields."""
    text, times = token(5), number(3, 5)
    return f"{quote}{text}{quote}*{times}", f"{quote}{text}*{times}{quote}", text * times


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=63)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location == "xml":
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        if await probe.baseline() is None:
            return []
        contexts = [c for c in CONTEXTS if not c.extra or probe.profile.extra_contexts]
        for context in contexts:
            found = await _try(probe, context)
            if found is not None:
                return [found]
        # Blind: every context at level 2; at level 1 the bare expression only (one request if clean).
        for context in contexts if probe.profile.extra_contexts else contexts[:1]:
            found = await _blind(probe, context)
            if found is not None:
                return [found]
        return []


def syntax_twin(context: CodeContext, value: str) -> Twin:
    """Python-only syntax kept (a slice, adding nothing) against the same text broken.

    ``'k'[1:]=='k'`` parses only in Python (SQL, XPath and JavaScript reject the slice) and needs no
    builtin; the kept twin multiplies it by zero, so an evaluator computes the baseline's own value."""
    quote = '"' if context.name.startswith("double") else "'"
    text = token(5)
    literal = f"{quote}{text}{quote}"
    if context.name == "bare expression":
        return Twin(
            true=f"{value}+0*({literal}[1:]=={literal})", false=f"{value}+0*({literal}[1:=={literal})"
        )
    # In a string: "v" + "k"[1:0] + "" is "v" again; without the "]" it is a syntax error.
    return Twin(true=context.wrap(value, f"{literal}[1:0]"), false=context.wrap(value, f"{literal}[1:"))


async def _blind(probe: PointProbe, context: CodeContext) -> Finding | None:
    """Nothing evaluated is shown: the kept syntax answers like the baseline, the broken one not."""
    found = await differential(probe, lambda: syntax_twin(context, probe.value), probe.profile.boolean_rounds)
    if found is None:
        return None
    kept, broken = found.rounds[0]
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"blind eval injection in {probe.where} ({context.name}): Python-only syntax that keeps the "
            "expression valid answers like the baseline and the same text broken does not; "
            f"{found.describe()}"
        ),
        evidence=(
            probe.evidence("baseline", found.baseline),
            probe.evidence("Python syntax kept (a slice, times zero)", kept),
            probe.evidence("the same text with the syntax broken", broken),
        ),
    )


async def _try(probe: PointProbe, context: CodeContext) -> Finding | None:
    quote = '"' if context.name.startswith("double") else "'"
    v = probe.value
    expression, inert, expected = repetition(quote)
    attack = await probe.send(context.wrap(v, expression))
    if attack is None or expected not in attack.text:
        return None
    control = await probe.send(context.wrap(v, inert))
    if control is None or expected in control.text:
        probe.near_miss(f"a repeated string ({context.name}) also came back from the inert control")
        return None
    text = token(5)
    upper = await probe.send(context.wrap(v, f"{quote}{text}{quote}.upper()"))
    if upper is None or text.upper() not in upper.text:
        probe.near_miss(f"string repetition ({context.name}) but no method call")
        return None
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"eval injection in {probe.where} ({context.name}): the input is evaluated as code "
            "(a string was repeated and a method was called on it)"
        ),
        evidence=(
            probe.evidence(f"string repetition evaluated: {expected!r}", attack),
            probe.evidence("inert control (operator inside the string): no repetition", control),
            probe.evidence(f"method call evaluated: {text.upper()!r}", upper),
        ),
    )


__all__ = ["CONTEXTS", "RULE", "run"]
