"""The four FIPS 140-2 statistical tests (monobit, poker, runs, long run) on a 20,000-bit sample.

These are the power-up self-tests of FIPS 140-2 §4.9.1 (the intervals of the 2001 change notice). A
pass proves little (a counter hashed with SHA-256 passes them all), so the predictability check runs
its deterministic tests first; a failure, though, is strong evidence that the bits are not random.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_BITS = 20_000
MONOBIT_RANGE = (9725, 10275)
POKER_RANGE = (2.16, 46.17)
#: run length (6 means 6 or more) -> allowed count interval, for runs of zeros and of ones alike.
RUNS_RANGES = {1: (2315, 2685), 2: (1114, 1386), 3: (527, 723), 4: (240, 384), 5: (103, 209), 6: (103, 209)}
LONG_RUN = 26


@dataclass(frozen=True, kw_only=True)
class FipsResult:
    monobit: bool
    poker: bool
    runs: bool
    long_run: bool
    detail: str

    @property
    def passed(self) -> bool:
        return self.monobit and self.poker and self.runs and self.long_run

    def failed_tests(self) -> list[str]:
        names = ("monobit", "poker", "runs", "long_run")
        return [n for n in names if not getattr(self, n)]


def fips_140_2(bits: list[int]) -> FipsResult:
    """Run the four tests on the first 20,000 bits; raises ValueError when fewer are given."""
    if len(bits) < SAMPLE_BITS:
        raise ValueError(f"FIPS 140-2 needs {SAMPLE_BITS} bits, got {len(bits)}")
    sample = bits[:SAMPLE_BITS]
    ones = sum(sample)
    monobit = MONOBIT_RANGE[0] < ones < MONOBIT_RANGE[1]
    counts = [0] * 16
    for i in range(0, SAMPLE_BITS, 4):
        counts[sample[i] << 3 | sample[i + 1] << 2 | sample[i + 2] << 1 | sample[i + 3]] += 1
    poker_x = 16 / 5000 * sum(c * c for c in counts) - 5000
    poker = POKER_RANGE[0] < poker_x < POKER_RANGE[1]
    runs = {0: [0] * 7, 1: [0] * 7}
    longest, current, length = 0, sample[0], 0
    for bit in [*sample, 2]:  # 2 flushes the last run
        if bit == current:
            length += 1
            continue
        runs[current][min(length, 6)] += 1
        longest = max(longest, length)
        current, length = bit, 1
    runs_ok = all(lo <= runs[b][n] <= hi for b in (0, 1) for n, (lo, hi) in RUNS_RANGES.items())
    detail = f"ones={ones}, poker X={poker_x:.2f}, longest run={longest}"
    return FipsResult(monobit=monobit, poker=poker, runs=runs_ok, long_run=longest < LONG_RUN, detail=detail)


__all__ = ["LONG_RUN", "SAMPLE_BITS", "FipsResult", "fips_140_2"]
