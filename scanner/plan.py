"""Spend the request budget across the active checks, so one slow technique cannot starve the others.

Before, the active checks ran one after the other on one shared budget: the time-based SQL probes of
a large app could spend all of it, and the XSS check after them never ran. Now each active check
gets a *share* of what is left (left divided by the active checks still to run), so

- a check that needs less than its share hands the rest on to the checks after it;
- a check that hits its share stops (:class:`~scanner.errors.ShareSpent`) with the points it tested
  recorded, and waits for a second pass, which splits what the others left unused among the checks
  that were cut short, and resumes each at the first point it did not test;
- a check still cut short in the second pass reports how far it got ("request budget spent after 12
  of 40 insertion points"), and the scan is marked incomplete, as any spent budget is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.active.points import PointKey, insertion_points, point_key
from scanner.active.session import keep_alive
from scanner.findings import Finding

if TYPE_CHECKING:
    from scanner.checks._registry import CheckSpec
    from scanner.context import ScanContext

MEMO_KEY = "plan-progress"


@dataclass(kw_only=True)
class Progress:
    """How far one active check got: the points it finished and what it found there."""

    done: set[PointKey] = field(default_factory=set)
    found: list[Finding] = field(default_factory=list)
    total: int = 0

    def describe(self) -> str:
        return f"{len(self.done)} of {self.total} insertion points tested"


def progress(ctx: ScanContext, name: str) -> Progress:
    table: dict[str, Progress] = ctx.memo.setdefault(MEMO_KEY, {})
    return table.setdefault(name, Progress())


def share(ctx: ScanContext, checks_left: int) -> int:
    """This check's share: what is left of the budget, split evenly among the checks still to run."""
    return max(ctx.engine.budget.remaining // max(checks_left, 1), 1)


async def run_active(ctx: ScanContext, spec: CheckSpec) -> list[Finding]:
    """Run an active check over every insertion point it has not finished yet (resumable)."""
    state = progress(ctx, spec.name)
    endpoints = ctx.discovery.sorted_endpoints()
    plan = [(endpoint, insertion_points(ctx, endpoint)) for endpoint in endpoints]
    state.total = sum(len(points) for _, points in plan)
    await keep_alive(ctx, now=True)
    for _, points in plan:
        todo = [p for p in points if point_key(p) not in state.done]
        if not todo:
            continue
        await keep_alive(ctx)
        for point in todo:
            state.found += await spec.run(ctx, point)
            state.done.add(point_key(point))
    return state.found


__all__ = ["MEMO_KEY", "Progress", "progress", "run_active", "share"]
