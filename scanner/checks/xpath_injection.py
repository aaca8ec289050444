"""SNT205 xpath-injection: user input changes the syntax of an XPath query.

**What it detects.** A parameter pasted into an XPath expression (``//user[name='" + name + "']``),
which lets an attacker read every node of the document: user lists, password hashes, configuration.
Two techniques at every insertion point:

- *Error-based.* A lone quote makes the XPath engine fail with a message the baseline does not show:
  lxml/libxml2 (``XPathEvalError``, ``Invalid predicate``, ``Unfinished literal``), elementpath,
  Java (``javax.xml.xpath.XPathExpressionException``, Saxon, Xalan) and .NET
  (``System.Xml.XPath.XPathException``, ``has an invalid token``), PHP ``DOMXPath``. Confirmed when
  the same input without the quote shows no error (the control), a *balanced* XPath continuation
  (``x' and 'k'='k``) shows none either, and the quote brings it back with a fresh canary.
- *Whole expression.* When the input *is* the expression (``?q=//user[@name='alice']``; tried for
  values that look like XPath, and for every value at level 2): ``(q)[string-length('kqzd')=4]``
  keeps the node-set, ``...=5]`` empties it; compared like the twins below.
- *Boolean-based.* True/false twins that only XPath understands:
  ``x' and string-length('kqzd')=4 and 'b'='b`` against ``...=5...``, with fresh random strings each
  round, compared like the SQL twins (see ``docs/injection.md``). ``string-length`` with a hyphen is
  a syntax error in SQL, so an SQL injection never passes for XPath (and the SQL check's ``LIKE``
  twins are syntax errors in XPath).

**Payloads.** ``x'``, ``x"``, ``x'k``, ``x' and 'k'='k``, the ``string-length`` twins in
single-quote and numeric contexts (double quotes at level 2). No ``or``.

**False-positive guards.** The error must be new against the baseline, absent from the control, gone
with the balanced payload, and back with a fresh canary; twins differ in one digit only; unstable
pages are not judged.

**CWE:** CWE-643 (Improper Neutralization of Data within XPath Expressions).

**Example evidence.** ``GET /user?name=alice'`` answered ``500 lxml.etree.XPathEvalError: Invalid
predicate``; ``name=alice' and 'kqzd'='kqzd`` answered 200 with alice's e-mail.

**How to fix.** Pass values as XPath variables (lxml: ``doc.xpath("//user[name=$n]", n=name)``;
Java: ``XPathVariableResolver``); never concatenate input into an expression.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.active import confirm
from scanner.active.boolean import Twin, TwinFactory
from scanner.active.canary import number, token
from scanner.active.confirm import ErrorPayloads, ErrorWords
from scanner.active.points import is_numeric
from scanner.active.probe import Attempt, PointProbe
from scanner.active.signatures import XPATH_SIGNATURES
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Finding, Rule, Severity

NAME = "xpath-injection"
RULE = Rule(
    id="SNT205",
    name=NAME,
    cwe=643,
    severity=Severity.HIGH,
    summary="Input changes an XPath query: an XPath error or an XPath-only true/false difference follows it.",
)


@dataclass(frozen=True, kw_only=True)
class Quote:
    name: str
    mark: str


QUOTES = (Quote(name="single-quoted string", mark="'"), Quote(name="double-quoted string", mark='"'))


def looks_like_xpath(value: str) -> bool:
    """A value that is itself an XPath expression (``//user[@name='a']``, ``count(/a)``)."""
    v = value.strip()
    return v.startswith(("/", "(")) or "::" in v or ("[" in v and "]" in v) or v.endswith(")")


def twins(v: str, extra: bool) -> list[tuple[str, TwinFactory]]:
    """XPath-only twins: ``string-length('k...')=L`` is true, ``=L+1`` is false."""

    def operands() -> tuple[str, int]:
        text = token(number(4, 8))
        return text, len(text)

    def quoted(q: str) -> TwinFactory:
        def make() -> Twin:
            text, size = operands()
            b = token(2)
            head, tail = f"{v}{q} and string-length({q}{text}{q})=", f" and {q}{b}{q}={q}{b}"
            return Twin(true=f"{head}{size}{tail}", false=f"{head}{size + 1}{tail}")

        return make

    def numeric() -> Twin:
        text, size = operands()
        return Twin(
            true=f"{v} and string-length('{text}')={size}",
            false=f"{v} and string-length('{text}')={size + 1}",
        )

    def whole() -> Twin:
        text, size = operands()
        tail = f"[string-length('{text}')="
        # The guard judges what the check adds (the parentheses and the predicate), not the value.
        return Twin(
            true=f"({v}){tail}{size}]",
            false=f"({v}){tail}{size + 1}]",
            true_added=f"(){tail}{size}]",
            false_added=f"(){tail}{size + 1}]",
        )

    found: list[tuple[str, TwinFactory]] = [("numeric", numeric)] if is_numeric(v) else []
    if extra or looks_like_xpath(v):
        found.append(("the whole expression", whole))
    found.append(("single-quoted string", quoted("'")))
    if extra:
        found.append(("double-quoted string", quoted('"')))
    return found


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=61)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location == "xml":
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        base = await probe.baseline()
        if base is None:
            return []
        found = await error_based(probe, base) or await boolean_based(probe)
        return [found] if found is not None else []


_XPATH_WORDS = ErrorWords(
    language="XPath",
    unbalanced="unbalanced quote",
    balanced="balanced XPath continuation: no error",
    disappears="appears with an unbalanced quote and disappears when the expression is balanced",
)


def _payloads(quote: Quote, v: str) -> ErrorPayloads:
    q = quote.mark
    return ErrorPayloads(
        name=quote.name,
        unbalanced=f"{v}{q}",
        shared=True,
        canary=token,
        control=lambda c: f"{v}{c}",
        balance=lambda c: f"{v}{q} and {q}{c}{q}={q}{c}",
        attack=lambda c: f"{v}{q}{c}",
    )


def error_payloads(v: str) -> list[ErrorPayloads]:
    return [_payloads(quote, v) for quote in QUOTES]


async def error_based(probe: PointProbe, base: Attempt) -> Finding | None:
    payloads = error_payloads(probe.value)
    return await confirm.error_based(probe, base, RULE, payloads, XPATH_SIGNATURES, _XPATH_WORDS)


async def boolean_based(probe: PointProbe) -> Finding | None:
    return await confirm.boolean_based(
        probe, RULE, twins(probe.value, probe.profile.extra_contexts), language="XPath",
        true_label="true twin (string-length matches): answers like the baseline",
        false_label="false twin (string-length off by one): answers differently",
    )  # fmt: skip


__all__ = ["RULE", "run", "twins"]
