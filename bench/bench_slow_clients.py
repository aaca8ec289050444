"""Slow clients against the example app over real HTTP: ``python -m bench slow_clients``.

The example app (``examples.app``, the whole :func:`sentinel.protect` stack) on uvicorn at
127.0.0.1. A probe client sends ``GET /`` one request at a time, first on a quiet server, then while
500 raw connections stall or trickle their bodies (``tests/support/slow_clients.py``: 200 ``GET``
announcing a body that never comes, 100 half-sent login forms, 100 login forms and 100 XML bodies
trickled a byte a second). The body deadline is set to 60 s so every attacker is still stalled while
the probe runs. The peer is the same app with load shedding off (``SENTINEL_SHEDDING=off``), which
the issue found unharmed by such clients: Sentinel's stack should cost nothing more.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import warnings

import httpx

from tests.support.servers import serve
from tests.support.slow_clients import Attacker, enough_file_descriptors

COUNTS = {"idle-get": 200, "half-form": 100, "trickle-form": 100, "trickle-xml": 100}
PROBES = 300


async def _probe(base: str) -> tuple[list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for _ in range(PROBES):
            started = time.perf_counter()
            response = await client.get("/")
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return latencies, statuses


async def _measure(base: str) -> list[tuple[str, list[float], dict[int, int]]]:
    quiet = await _probe(base)
    url = httpx.URL(base)
    attackers = [Attacker(k, str(url.host), int(url.port or 80)) for k, n in COUNTS.items() for _ in range(n)]
    try:
        await asyncio.gather(*(a.open() for a in attackers))
        tricklers = [asyncio.create_task(a.trickle(time.monotonic() + 30)) for a in attackers]
        await asyncio.sleep(0.5)
        attacked = await _probe(base)
        for task in tricklers:
            task.cancel()
        await asyncio.gather(*tricklers, return_exceptions=True)
    finally:
        for attacker in attackers:
            attacker.close()
    return [("quiet", *quiet), (f"{len(attackers)} slow clients", *attacked)]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def run() -> str:
    configs = [
        ("protect() defaults", {"SENTINEL_BODY_TIMEOUT": "60"}),
        ("peer: shedding off", {"SENTINEL_BODY_TIMEOUT": "60", "SENTINEL_SHEDDING": "off"}),
    ]
    lines = [
        "| app | phase | probe p50 (ms) | probe p99 (ms) | probe answers |",
        "|---|---|---:|---:|---|",
    ]
    with enough_file_descriptors(4096), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, env in configs:
            with serve("examples.app:app", env=env) as base:
                for phase, latencies, statuses in asyncio.run(_measure(base)):
                    answers = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
                    lines.append(
                        f"| {label} | {phase} | {statistics.median(latencies) * 1000:.1f} "
                        f"| {_quantile(latencies, 0.99) * 1000:.1f} | {answers} |"
                    )
    return "\n".join(
        [
            "## Slow clients (issue #12)",
            "",
            f"{PROBES} sequential `GET /` probes against the example app on uvicorn, quiet and then while "
            "500 connections stall or trickle request bodies (200 `GET` announcing a body never sent, "
            "100 half-sent login forms, 100 login forms and 100 XML bodies at one byte a second). "
            "Before the fix, 64 such connections took every load-shedding slot and every probe got "
            "`503`. Now a request waiting for its body holds no slot, and the body deadline "
            "(`SENTINEL_BODY_TIMEOUT`, 60 s here so the attack lasts the whole run) answers it `408`. "
            "The peer is the same app without load shedding. Measured on a machine shared with other "
            "jobs: compare rows of one run, not runs.",
            "",
            *lines,
        ]
    )


if __name__ == "__main__":
    print(run())
