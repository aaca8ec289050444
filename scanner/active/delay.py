"""A time-based probe at one insertion point: a cheap signal first, then the 0-d-2d fit.

Shared by every check that asks the target to wait (command injection's ``sleep``, a blind context's
delay): one request with the delay ``d`` is the prescreen, and only an answer at least
:data:`~scanner.active.timing.SLEEP_SIGNAL` times ``d`` slower than the slowest of three baselines earns
the fit (:func:`~scanner.active.timing.believable_fit`). A point that is not delayed costs one
request per payload shape, and no waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.active.probe import Attempt, PointProbe
from scanner.active.timing import SLEEP_FIT, SLEEP_SIGNAL, Fit, FitPolicy, believable_fit, usable_delay

#: ``seconds -> payload``: the payload that asks the target to wait that long.
DelayPayload = Callable[[float], str]


@dataclass(frozen=True, kw_only=True)
class Delayed:
    """A delayed first answer, and the fit (``None`` when the series did not fit: a slow or jittery
    endpoint, which further delay payloads at this point would only measure again)."""

    first: Attempt
    fit: Fit | None


async def delayed(
    probe: PointProbe, build: DelayPayload, *, what: str, policy: FitPolicy = SLEEP_FIT
) -> Delayed | None:
    """Whether ``build(d)`` delays the answer by ``d``, linearly; ``None`` when it is not even slow."""
    delay = usable_delay(probe.profile.time_delay, probe.ctx.engine.limits.timeout)
    if delay is None:
        probe.ctx.engine.note(f"time-based probes ({what}) skipped: --timeout leaves no room for a delay")
        return None
    baselines = await probe.baselines(3)
    if not baselines:
        return None
    slowest = max(b.exchange.elapsed for b in baselines)
    first = await probe.send(build(delay))
    if first is None or first.exchange.elapsed < slowest + SLEEP_SIGNAL * delay:
        return None

    async def send(seconds: float) -> float | None:
        attempt = await probe.send(build(seconds))
        return attempt.exchange.elapsed if attempt is not None else None

    fit = await believable_fit(send, delay, probe.profile.time_repeats, policy)
    if fit is None:
        probe.near_miss(f"a delay ({what}) did not fit a straight line")
    return Delayed(first=first, fit=fit)


__all__ = ["DelayPayload", "Delayed", "delayed"]
