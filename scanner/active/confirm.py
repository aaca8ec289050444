"""The confirmation steps that error-signature and boolean checks share, written once.

**Error-based** (SQL, XPath): an unbalanced input shows an engine's error that the baseline does not;
a control (the same input, harmless) and a *balanced* continuation show none; the unbalanced input
again, with a fresh canary, shows the same engine's error. Only then is it a finding.

**Boolean-based**: a true/false twin differential that held in every round
(:func:`scanner.active.boolean.differential`).

Each check supplies its own payloads and words; the steps and the evidence layout are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scanner.active.boolean import TwinFactory, differential
from scanner.active.probe import Attempt, PointProbe
from scanner.active.signatures import Signature, new_matches
from scanner.findings import Confidence, Finding, Rule


@dataclass(frozen=True, kw_only=True)
class ErrorPayloads:
    """One syntactic context: the unbalanced probe, and payload builders taking a fresh canary."""

    name: str
    unbalanced: str
    shared: bool
    canary: Callable[[], str]
    control: Callable[[str], str]
    balance: Callable[[str], str]
    attack: Callable[[str], str]


@dataclass(frozen=True, kw_only=True)
class ErrorWords:
    """How a check names what it found, in messages and evidence."""

    language: str  # "SQL", "XPath"
    unbalanced: str  # "unbalanced input"
    balanced: str  # "balanced input: no database error"
    disappears: str  # "appears with the unbalanced input and disappears when it is balanced"


async def error_based(
    probe: PointProbe,
    base: Attempt,
    rule: Rule,
    contexts: Iterable[ErrorPayloads],
    signatures: Iterable[Signature],
    words: ErrorWords,
) -> Finding | None:
    """The first context whose error signature is confirmed, as a finding; ``None`` otherwise."""
    known = tuple(signatures)
    for context in contexts:
        first = await probe.send(context.unbalanced, shared=context.shared)
        hits = new_matches(first.text, base.text, known) if first else {}
        if not hits or first is None:
            continue
        canary = context.canary()
        control = await probe.send(context.control(canary))
        balance = await probe.send(context.balance(canary))
        again = await probe.send(context.attack(canary))
        if control is None or balance is None or again is None:
            continue
        if new_matches(control.text, base.text, known) or new_matches(balance.text, base.text, known):
            probe.near_miss(
                f"an {words.language} error ({context.name}) did not disappear with the balanced payload"
            )
            continue
        repeated = new_matches(again.text, base.text, known)
        family = next((f for f in hits if f in repeated), None)
        if family is None:
            probe.near_miss(
                f"an {words.language} error ({context.name}) did not come back with a fresh canary"
            )
            continue
        return probe.finding(
            rule,
            confidence=Confidence.CONFIRMED,
            message=(
                f"error-based {words.language} injection in {probe.where} ({context.name}): "
                f"a {family} error {words.disappears}"
            ),
            evidence=(
                probe.evidence(f"{words.unbalanced}; {family} error: {hits[family]!r}", first),
                probe.evidence(words.balanced, balance),
                probe.evidence(f"unbalanced again with a fresh canary: {repeated[family]!r}", again),
            ),
        )
    return None


async def boolean_based(
    probe: PointProbe,
    rule: Rule,
    contexts: Iterable[tuple[str, TwinFactory]],
    *,
    language: str,
    true_label: str = "true twin: answers like the baseline",
    false_label: str = "false twin: answers differently",
) -> Finding | None:
    """The first context whose true/false differential holds in every round, as a finding."""
    for name, factory in contexts:
        found = await differential(probe, factory, probe.profile.boolean_rounds)
        if found is None:
            continue
        true, false = found.rounds[0]
        return probe.finding(
            rule,
            confidence=Confidence.CONFIRMED,
            message=f"boolean-based {language} injection in {probe.where} ({name}): {found.describe()}",
            evidence=(
                probe.evidence("baseline", found.baseline),
                probe.evidence(true_label, true),
                probe.evidence(false_label, false),
            ),
        )
    return None


__all__ = ["ErrorPayloads", "ErrorWords", "boolean_based", "error_based"]
