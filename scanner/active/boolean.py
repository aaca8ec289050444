"""Boolean differentials: a true twin that answers like the baseline and a false twin that does not.

A twin is two payloads identical but for one random operand (``'k' LIKE 'k'`` against ``'k' LIKE
'q'``), so length, characters and reflections match and only the *truth* differs. A differential is
believed only when, in every one of several rounds with fresh operands:

- the true twin answers like the baseline (within the baseline's own stability);
- the false twin answers differently from both the true twin and the baseline, clearly more so than
  the true twin does;

and, across rounds, the true answers agree with each other and the false answers with each other.
When the baseline is identical to itself and the true twin identical to the baseline, any
difference in the false twin counts (a one-word "not found" in a large page), still in every round.
Pages are compared with reflections masked (:mod:`scanner.active.compare`). A page that is not
stable against itself (two baselines differ too much) is not judged at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from scanner.active.compare import Page, page, similarity
from scanner.active.probe import Attempt, PointProbe

#: Two baselines less similar than this: the page is too dynamic for a differential.
STABLE_MIN = 0.85
#: How far below the baseline's own stability a "same" answer may fall.
SAME_SLACK = 0.03
#: How much further from the baseline (and from the true twin) the false twin must be.
GAP = 0.03


@dataclass(frozen=True, kw_only=True)
class Twin:
    """A true/false payload pair, identical but for one operand."""

    true: str
    false: str
    #: What the check added to each payload, when it is not "the payload minus the benign value"
    #: (an XML document built around the target's own example), for the safety guard.
    true_added: str | None = None
    false_added: str | None = None


TwinFactory = Callable[[], Twin]


@dataclass(frozen=True, kw_only=True)
class Differential:
    """A differential that held in every round."""

    baseline: Attempt
    rounds: tuple[tuple[Attempt, Attempt], ...]
    stability: float
    true_vs_baseline: float
    false_vs_baseline: float

    def describe(self) -> str:
        t = self.rounds[0][0].exchange
        f = self.rounds[0][1].exchange
        return (
            f"{len(self.rounds)} rounds with fresh operands: the true twin answered like the baseline "
            f"(HTTP {t.status}, similarity {self.true_vs_baseline:.2f}), the false twin did not "
            f"(HTTP {f.status}, similarity {self.false_vs_baseline:.2f}); baseline stability "
            f"{self.stability:.2f}"
        )


async def differential(probe: PointProbe, factory: TwinFactory, rounds: int) -> Differential | None:
    """Run ``rounds`` twins from ``factory``; the differential if every round held, else ``None``."""
    baselines = await probe.baselines(2)
    if len(baselines) < 2:
        return None
    base = page(baselines[0].exchange)
    # The baseline's own value, masked: the twins' reflections are masked, so an echo of the value
    # ("results for apple") must not count against them. Both views are tried; the closer one wins.
    base_masked = page(baselines[0].exchange, (probe.value,))
    stability = similarity(base, page(baselines[1].exchange))
    if stability < STABLE_MIN:
        return None

    def to_base(candidate: Page) -> float:
        return max(similarity(candidate, base), similarity(candidate, base_masked))

    kept: list[tuple[Attempt, Attempt]] = []
    pages: list[tuple[Page, Page]] = []
    scores: list[tuple[float, float]] = []
    for round_ in range(rounds):
        twin = factory()
        masks = (twin.true, twin.false)
        true = await probe.send(twin.true, added=twin.true_added)
        if true is None:
            return None
        true_page = page(true.exchange, masks)
        true_vs_base = to_base(true_page)
        if true_vs_base < stability - SAME_SLACK:
            if round_:
                probe.near_miss("a boolean differential did not repeat (true twin)")
            return None
        false = await probe.send(twin.false, added=twin.false_added)
        if false is None:
            return None
        false_page = page(false.exchange, masks)
        false_vs_base = to_base(false_page)
        true_vs_false = similarity(true_page, false_page)
        differs = true_vs_false <= stability - GAP and false_vs_base <= true_vs_base - GAP
        if not differs and stability >= 1.0 and true_vs_base >= 1.0:
            # A page identical to itself, and the true twin identical to it: any difference in the
            # false twin is the answer ("found" against "not found" in a large page), not noise.
            differs = true_vs_false < 1.0 and false_vs_base < 1.0
        if not differs:
            if round_:
                probe.near_miss("a boolean differential did not repeat (false twin)")
            return None
        kept.append((true, false))
        pages.append((true_page, false_page))
        scores.append((true_vs_base, false_vs_base))
    for (t1, f1), (t2, f2) in pairwise(pages):
        if similarity(t1, t2) < stability - SAME_SLACK or similarity(f1, f2) < stability - SAME_SLACK:
            probe.near_miss("boolean answers were not consistent across rounds")
            return None
    return Differential(
        baseline=baselines[0],
        rounds=tuple(kept),
        stability=stability,
        true_vs_baseline=min(s for s, _ in scores),
        false_vs_baseline=max(s for _, s in scores),
    )


__all__ = ["GAP", "SAME_SLACK", "STABLE_MIN", "Differential", "Twin", "TwinFactory", "differential"]
