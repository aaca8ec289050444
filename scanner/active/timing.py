"""Time-based evidence: delays of 0, d and 2d, repeated, and a straight-line fit through them.

One slow answer proves nothing (a loaded server, a cold cache, an endpoint that is always slow). The
scanner asks for three delays, each several times and in an interleaved order, and believes a delay
only when elapsed time grows *linearly* with the requested delay: the fitted slope is near the
expected one, the fit explains the variation (R²), and the groups do not overlap (every 2d answer is
slower than every d answer, which is slower than every 0 answer). An endpoint that is always slow
has a slope near zero; a jittery one fails R² or the separation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True, kw_only=True)
class FitPolicy:
    """What a believable fit looks like."""

    min_slope: float
    max_slope: float
    min_r2: float


#: A sleep function: elapsed time should grow one second per requested second.
SLEEP_FIT = FitPolicy(min_slope=0.7, max_slope=1.6, min_r2=0.9)
#: A heavy query calibrated to ``d``: the calibration is rough, so the slope may stray further.
HEAVY_FIT = FitPolicy(min_slope=0.4, max_slope=2.5, min_r2=0.9)


@dataclass(frozen=True, kw_only=True)
class Fit:
    """Least squares of elapsed time against requested delay."""

    slope: float
    intercept: float
    r2: float
    separated: bool
    samples: tuple[tuple[float, float], ...]

    def believable(self, policy: FitPolicy) -> bool:
        slope_ok = policy.min_slope <= self.slope <= policy.max_slope
        return self.separated and slope_ok and self.r2 >= policy.min_r2

    def describe(self) -> str:
        groups: dict[float, list[float]] = {}
        for delay, elapsed in self.samples:
            groups.setdefault(delay, []).append(elapsed)
        shown = "; ".join(
            f"{delay:g} s -> " + ", ".join(f"{e:.2f}" for e in sorted(values))
            for delay, values in sorted(groups.items())
        )
        return f"slope {self.slope:.2f}, R² {self.r2:.2f} ({shown})"


def fit(samples: Sequence[tuple[float, float]]) -> Fit:
    """Fit ``elapsed = intercept + slope * delay`` through ``(delay, elapsed)`` samples."""
    n = len(samples)
    xs = [x for x, _ in samples]
    ys = [y for _, y in samples]
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in samples)
    syy = sum((y - mean_y) ** 2 for y in ys)
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    r2 = (sxy * sxy) / (sxx * syy) if sxx and syy else 0.0
    return Fit(slope=slope, intercept=intercept, r2=r2, separated=separated(samples), samples=tuple(samples))


def separated(samples: Sequence[tuple[float, float]]) -> bool:
    """Every answer for a larger delay is slower than every answer for a smaller one."""
    groups: dict[float, list[float]] = {}
    for delay, elapsed in samples:
        groups.setdefault(delay, []).append(elapsed)
    ordered = [groups[d] for d in sorted(groups)]
    return len(ordered) >= 2 and all(min(b) > max(a) for a, b in pairwise(ordered))


def schedule(delays: Sequence[float], repeats: int) -> list[float]:
    """``delays`` repeated, each round in a rotated order so drift cannot pose as a slope."""
    order: list[float] = []
    for round_ in range(repeats):
        shift = round_ % len(delays)
        rotated = list(delays[shift:]) + list(delays[:shift])
        order += rotated if round_ % 2 == 0 else rotated[::-1]
    return order


#: Sends one probe asking for ``delay`` seconds; returns the elapsed time, or ``None`` if no answer.
Send = Callable[[float], Awaitable[float | None]]


async def measure(send: Send, delays: Sequence[float], repeats: int) -> Fit | None:
    """Send each delay ``repeats`` times (interleaved) and fit; ``None`` if any probe got no answer."""
    samples: list[tuple[float, float]] = []
    for delay in schedule(delays, repeats):
        elapsed = await send(delay)
        if elapsed is None:
            return None
        samples.append((delay, elapsed))
    return fit(samples)


#: Series of 0, d, 2d measured at most this many times per signal before giving up.
FIT_ATTEMPTS = 2
#: A delay probe must be at least this share of the delay slower than the slowest baseline to be a signal.
SLEEP_SIGNAL = 0.7


async def believable_fit(send: Send, delay: float, repeats: int, policy: FitPolicy) -> Fit | None:
    """A believable fit of 0, d and 2d, measured at most :data:`FIT_ATTEMPTS` times (a loaded server
    can spoil one series; a target that is not delayed by the payload never fits at all)."""
    for _ in range(FIT_ATTEMPTS):
        found = await measure(send, (0.0, delay, 2 * delay), repeats)
        if found is None:
            return None
        if found.believable(policy):
            return found
    return None


def usable_delay(wanted: float, timeout: float) -> float | None:
    """The unit delay ``d`` that leaves room for ``2d`` within the request timeout; ``None`` if none."""
    delay = min(wanted, (timeout - 1.0) / 2.5)
    return delay if delay >= 0.3 else None


__all__ = [
    "FIT_ATTEMPTS",
    "HEAVY_FIT",
    "SLEEP_FIT",
    "SLEEP_SIGNAL",
    "Fit",
    "FitPolicy",
    "Send",
    "believable_fit",
    "fit",
    "measure",
    "schedule",
    "separated",
    "usable_delay",
]
