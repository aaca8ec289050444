"""SNT208 command-injection: input reaches an operating-system shell.

**What it detects.** A parameter pasted into a shell command line (``subprocess.run(..., shell=True)``,
``os.system``, ``os.popen``): whoever controls it runs any command as the app's user. The scanner
never runs a command that reads or changes anything; it asks the shell for arithmetic, or for a wait.

1. *Output-based.* The value followed by a shell construct that prints a product, ``$((a*b))`` with
   fresh four-digit ``a`` and ``b``: after ``;``, inside backticks and ``$(...)`` (level 1), after
   ``|`` and ``&&``, after closing a single-quoted argument, and the Windows ``&``/``|`` forms with
   ``set /a a*b`` (level 2). The product must appear in the answer, and nowhere in the baseline.
   *Control*: the same text with the arithmetic written out, ``a*b`` (no shell expands it), must not
   bring the product back. *Confirmation*: the same context again with fresh numbers.
2. *Time-based.* ``$(sleep d)``, which runs in unquoted and double-quoted arguments alike (level 1;
   after ``;`` and after closing a single quote too at level 2), for an app that never shows the
   command's output: one probe with ``d`` is the signal, and the delays 0, d and 2d, repeated and
   interleaved, must fit a straight line of slope ~1 with no overlap between the groups (the fit of
   ``docs/injection.md``). A point whose delayed answer does not fit (a slow or jittery endpoint) is
   not timed again with another separator.

**Payloads.** ``echo $((a*b))``, ``set /a a*b`` and ``sleep d`` (``d`` at most 10 s) after each
separator. The safety guard refuses every other command and any delay above 10 s.

**False-positive guards.** The product is never in the request; a page that computes arithmetic on
its input also computes the control and is not reported; a single slow answer proves nothing (the
fit); an endpoint that is always slow has a flat slope.

**CWE:** CWE-78 (Improper Neutralization of Special Elements used in an OS Command).

**Example evidence.** ``GET /dns?host=example;echo $((4711*2351))`` answered ``resolving example
11075561``; ``host=example;echo 4711*2351`` answered ``resolving example 4711*2351``.

**How to fix.** Do not use a shell: ``subprocess.run(["nslookup", host], shell=False)`` with an argument
list (and ``--`` before user input for programs that take options), or a library call instead of a
program. Validate the input against what it must be (a host name, a number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.active.canary import number
from scanner.active.delay import Delayed, DelayPayload, delayed
from scanner.active.probe import Attempt, PointProbe
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "command-injection"
RULE = Rule(
    id="SNT208",
    name=NAME,
    cwe=78,
    severity=Severity.CRITICAL,
    summary="Input reaches a shell: injected arithmetic is computed, or an injected sleep delays the answer.",
)


@dataclass(frozen=True, kw_only=True)
class ShellContext:
    """``wrap(value, command)`` runs ``command`` in this context; ``extra`` ones run from level 2."""

    name: str
    wrap: Callable[[str, str], str]
    extra: bool = False
    windows: bool = False


OUTPUT_CONTEXTS = (
    ShellContext(name="after ;", wrap=lambda v, c: f"{v};{c}"),
    ShellContext(name="inside backticks", wrap=lambda v, c: f"{v}`{c}`"),
    ShellContext(name="inside $(...)", wrap=lambda v, c: f"{v}$({c})"),
    ShellContext(name="after |", wrap=lambda v, c: f"{v}|{c}", extra=True),
    ShellContext(name="after &&", wrap=lambda v, c: f"{v}&&{c}", extra=True),
    ShellContext(name="after a closed single quote", wrap=lambda v, c: f"{v}'`{c}`'", extra=True),
    ShellContext(name="Windows, after &", wrap=lambda v, c: f"{v}&{c}", extra=True, windows=True),
    ShellContext(name="Windows, after |", wrap=lambda v, c: f"{v}|{c}", extra=True, windows=True),
)
TIME_CONTEXTS = (
    ShellContext(name="inside $(...)", wrap=lambda v, c: f"{v}$({c})"),
    ShellContext(name="after ;", wrap=lambda v, c: f"{v};{c}", extra=True),
    ShellContext(name="after a closed single quote", wrap=lambda v, c: f"{v}'$({c})'", extra=True),
)


def arithmetic(windows: bool) -> tuple[str, str, str]:
    """``(command, inert control, product)``: the command prints the product only in a shell."""
    a, b = number(1000, 9999), number(1000, 9999)
    if windows:
        return f"set /a {a}*{b}", f"set {a}*{b}", str(a * b)
    return f"echo $(({a}*{b}))", f"echo {a}*{b}", str(a * b)


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=64)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location == "xml":
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        base = await probe.baseline()
        if base is None:
            return []
        extra = probe.profile.extra_contexts
        for context in OUTPUT_CONTEXTS:
            if context.extra and not extra:
                continue
            found = await _output(probe, base, context)
            if found is not None:
                return [found]
        for context in TIME_CONTEXTS:
            if context.extra and not extra:
                continue
            timed = await delayed(probe, _sleeper(context, probe.value), what=context.name)
            if timed is None:
                continue
            if timed.fit is None:
                break  # slow or jittery here: another separator would only measure that again
            return [_timed(probe, context, timed)]
        return []


async def _output(probe: PointProbe, base: Attempt, context: ShellContext) -> Finding | None:
    v = probe.value
    command, inert, product = arithmetic(context.windows)
    if product in base.text:
        return None
    attack = await probe.send(context.wrap(v, command))
    if attack is None or product not in attack.text:
        return None
    control = await probe.send(context.wrap(v, inert))
    if control is None or product in control.text:
        probe.near_miss(f"a product ({context.name}) also came back from the inert control")
        return None
    command2, _, product2 = arithmetic(context.windows)
    again = await probe.send(context.wrap(v, command2))
    if again is None or product2 not in again.text or product2 in base.text:
        probe.near_miss(f"a shell product ({context.name}) did not come back with fresh numbers")
        return None
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"OS command injection in {probe.where} ({context.name}): the shell computed the injected "
            f"arithmetic ({product}), and again with fresh numbers ({product2})"
        ),
        evidence=(
            probe.evidence(f"injected arithmetic computed: {product}", attack),
            probe.evidence("inert control (the arithmetic written out): no product", control),
            probe.evidence(f"again with fresh numbers: {product2}", again),
        ),
    )


def _sleeper(context: ShellContext, value: str) -> DelayPayload:
    return lambda seconds: context.wrap(value, f"sleep {seconds:g}")


def _timed(probe: PointProbe, context: ShellContext, timed: Delayed) -> Finding:
    fit = timed.fit.describe() if timed.fit is not None else ""
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"time-based OS command injection in {probe.where} ({context.name}): a shell sleep of 0, d "
            f"and 2d seconds shows up linearly in the response time ({fit})"
        ),
        evidence=(probe.evidence(f"shell sleep payload; {fit}", timed.first),),
    )


__all__ = ["OUTPUT_CONTEXTS", "RULE", "TIME_CONTEXTS", "run"]
