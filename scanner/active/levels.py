"""Scan levels: how much an active scan may cost, as named presets.

Level 1 is the fast CI default: the common syntactic contexts, two rounds of every differential, and
time-based probes only where the cheaper techniques saw nothing, in one context per point (one
request per delay payload unless the answer is delayed). Level 2 adds contexts (double quotes,
parentheses, comments, more template syntaxes, more shell separators and file spellings) and
time-based probes in every context. Level 3 repeats more and waits longer. Every level keeps the
same confirmation discipline; a higher level finds more, it never believes more easily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.context import ScanContext


@dataclass(frozen=True, kw_only=True)
class ActiveProfile:
    """What the active checks may spend at one scan level."""

    level: int
    #: Rounds of a boolean differential (a true/false twin with fresh operands each round).
    boolean_rounds: int
    #: Double quotes, parentheses, comments, more template syntaxes, error differentials.
    extra_contexts: bool
    #: Time-based probes (SQL, shell): seconds per vulnerable point, one request per clean one.
    time_based: bool
    #: In how many syntactic contexts per point the time-based probes run (bounded at level 1).
    time_contexts: int
    #: The unit delay ``d`` (seconds) of a time-based probe; the fit uses 0, d and 2d.
    time_delay: float
    #: How many times each of 0, d and 2d is measured in a fit.
    time_repeats: int


LEVEL_1 = ActiveProfile(
    level=1,
    boolean_rounds=2,
    extra_contexts=False,
    time_based=True,
    time_contexts=1,
    time_delay=1.0,
    time_repeats=2,
)
LEVEL_2 = ActiveProfile(
    level=2,
    boolean_rounds=2,
    extra_contexts=True,
    time_based=True,
    time_contexts=2,
    time_delay=1.0,
    time_repeats=2,
)
LEVEL_3 = ActiveProfile(
    level=3,
    boolean_rounds=3,
    extra_contexts=True,
    time_based=True,
    time_contexts=2,
    time_delay=1.5,
    time_repeats=3,
)
LEVELS = {1: LEVEL_1, 2: LEVEL_2, 3: LEVEL_3}


def profile_for(ctx: ScanContext) -> ActiveProfile:
    """The preset for the scan's ``level`` (validated by :class:`~scanner.config.ScanConfig`)."""
    return LEVELS.get(ctx.config.level, LEVEL_1)


__all__ = ["LEVELS", "LEVEL_1", "LEVEL_2", "LEVEL_3", "ActiveProfile", "profile_for"]
