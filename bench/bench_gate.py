"""CI gate benchmark: ``python -m bench gate``.

Measures, in one run on one machine, over this repository:

1. What Sentinel's bandit plugins cost: ``bandit -r sentinel scanner`` with every plugin, against the
   same command with the Sentinel plugins skipped (``-s SNT901,...``). Same process start, same
   built-in tests, same files; the difference is the plugins.
2. What running the halves side by side saves: one ``run_gate`` with both halves (bandit in its own
   process while the scanner scans the hardened example app), against the static half and the
   dynamic half run one after the other.

Wall-clock medians of 3 runs each; ratios are what to read.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sentinel_bandit.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
DEMO_PASSWORD = "correct horse battery staple"  # the example app's documented demo credential


def _median(action: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _bandit(*extra: str) -> float:
    """Run bandit; its CPU seconds (user + system), which other jobs on a shared machine disturb
    less than wall-clock time."""
    cmd = [sys.executable, "-m", "bandit", "-r", "sentinel", "scanner", "-f", "json", "-o", os.devnull]
    cmd += ["-q", "--exit-zero", "-c", "pyproject.toml", *extra]
    process = subprocess.Popen(
        cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"bandit exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime


def _cpu_median(*extra: str) -> float:
    return statistics.median(_bandit(*extra) for _ in range(RUNS))


def _gate_timings() -> tuple[float, float, float]:
    from scanner.ci.config import build_config, read_table
    from scanner.ci.run import run_gate

    os.environ.setdefault("SENTINEL_GATE_PASSWORD", DEMO_PASSWORD)
    config = build_config(read_table(ROOT / "pyproject.toml"), {}, root=ROOT)
    static_only = replace(config, app=None, url=None)
    dynamic_only = replace(config, static=None)
    both = _median(lambda: run_gate(config))
    static = _median(lambda: run_gate(static_only))
    dynamic = _median(lambda: run_gate(dynamic_only))
    return both, static, dynamic


def run() -> str:
    skip = ",".join(r.id for r in RULES)
    without = _median(lambda: _bandit("-s", skip))
    with_plugins = _median(_bandit)
    cpu_without, cpu_with = _cpu_median("-s", skip), _cpu_median()
    both, static, dynamic = _gate_timings()
    return "\n".join(
        [
            "## CI gate (`sentinel gate`)",
            "",
            f"Sentinel's {len(RULES)} bandit plugins on `sentinel/` and `scanner/`, against bandit's",
            "built-in tests alone; and the gate's two halves side by side against one after the other,",
            "with our own `[tool.sentinel]` (bandit over its `paths`, the scanner over the hardened",
            "example app, served by the gate).",
            "",
            "| Measure | Seconds (median of 3) | Ratio |",
            "|---|---|---|",
            f"| bandit, built-in tests only | {without:.2f} | 1.00 |",
            f"| bandit + Sentinel plugins | {with_plugins:.2f} | {with_plugins / without:.2f} |",
            f"| bandit, built-in tests only: CPU seconds | {cpu_without:.2f} | 1.00 |",
            f"| bandit + Sentinel plugins: CPU seconds | {cpu_with:.2f} | {cpu_with / cpu_without:.2f} |",
            f"| gate, static half alone | {static:.2f} | |",
            f"| gate, dynamic half alone | {dynamic:.2f} | |",
            f"| gate, both halves one after the other (sum) | {static + dynamic:.2f} | 1.00 |",
            f"| gate, both halves side by side | {both:.2f} | {both / (static + dynamic):.2f} |",
        ]
    )


if __name__ == "__main__":
    print(run())
