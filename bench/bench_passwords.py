"""Password hashing: latency per profile, throughput per worker count, event-loop latency while logins
hash, and verify latency against peers measured in the same run.

Peers: argon2-cffi called directly (the floor: everyone below wraps it), libpass (passlib's maintained
fork) and pwdlib, all at the same argon2id parameters; for legacy schemes, libpass's own verifiers.
Each figure is a median of several runs; ratios are against the peer named in the table.
"""

from __future__ import annotations

import asyncio
import functools
import os
import statistics
import time
import warnings
from collections.abc import Callable

import argon2

from sentinel.passwords import DEFAULT_PROFILE, OWASP, Argon2Profile, PasswordHasher
from sentinel.passwords.offload import default_concurrency

PASSWORD = "correct horse battery staple"
LOGINS = 16


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _interleaved_ms(candidates: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median ms per candidate, taking turns, so load from other processes hits each one alike."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(runs):
        for name, fn in candidates.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}


def _profiles_section() -> str:
    rows = ["| profile | parameters | hash (ms) | verify (ms) |", "| --- | --- | ---: | ---: |"]
    for profile, runs in ((DEFAULT_PROFILE, 9), (OWASP, 15)):
        hasher = PasswordHasher(profile=profile, pepper=None)
        stored = hasher.hash(PASSWORD)
        hash_ms = _median_ms(functools.partial(hasher.hash, PASSWORD), runs)
        verify_ms = _median_ms(functools.partial(hasher.verify, stored, PASSWORD), runs)
        params = f"t={profile.time_cost}, m={profile.memory_cost // 1024} MiB, p={profile.parallelism}"
        rows.append(f"| `{profile.name}` | {params} | {hash_ms:.1f} | {verify_ms:.1f} |")
    return "\n".join(rows)


def _peers_section() -> str:
    p = DEFAULT_PROFILE
    raw = argon2.PasswordHasher.from_parameters(p.parameters())
    raw_hash = raw.hash(PASSWORD)
    ours = PasswordHasher(profile=p, pepper=None)
    candidates: dict[str, Callable[[], object]] = {
        "argon2-cffi (direct)": lambda: raw.verify(raw_hash, PASSWORD),
        "Sentinel `verify`": lambda: ours.verify(raw_hash, PASSWORD),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from passlib.hash import argon2 as passlib_argon2  # type: ignore[import-untyped]

            lib = passlib_argon2.using(
                time_cost=p.time_cost, memory_cost=p.memory_cost, parallelism=p.parallelism, digest_size=32
            )
            candidates["libpass `argon2.verify`"] = lambda: lib.verify(PASSWORD, raw_hash)
        except ImportError:
            pass
        try:
            from pwdlib.hashers.argon2 import Argon2Hasher

            pwd = Argon2Hasher(time_cost=p.time_cost, memory_cost=p.memory_cost, parallelism=p.parallelism)
            candidates["pwdlib `Argon2Hasher.verify`"] = lambda: pwd.verify(PASSWORD, raw_hash)
        except ImportError:
            pass
    results = _interleaved_ms(candidates, 21)
    base = results["argon2-cffi (direct)"]
    rows = ["| verifier (default profile) | verify (ms) | vs argon2-cffi |", "| --- | ---: | ---: |"]
    rows += [f"| {name} | {ms:.1f} | {ms / base:.2f}x |" for name, ms in results.items()]
    return "\n".join(rows)


def _legacy_section() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from passlib import hash as plh  # type: ignore[import-untyped]

    hasher = PasswordHasher(profile=OWASP, pepper=None)
    cases = [
        ("sha512-crypt, 5000 rounds", plh.sha512_crypt.using(rounds=5000)),
        ("sha512-crypt, 656000 rounds", plh.sha512_crypt.using(rounds=656000)),
        ("md5-crypt", plh.md5_crypt),
        ("phpass, 2^13", plh.phpass.using(rounds=13)),
        ("bcrypt, cost 10", plh.bcrypt.using(rounds=10)),
        ("Django pbkdf2_sha256, 1,000,000", plh.django_pbkdf2_sha256.using(rounds=1_000_000)),
    ]
    rows = ["| legacy scheme | Sentinel (ms) | libpass (ms) | ratio |", "| --- | ---: | ---: | ---: |"]
    for label, handler in cases:
        stored = handler.hash(PASSWORD)
        runs = 3 if "656000" in label or "1,000,000" in label else 7
        both = _interleaved_ms(
            {
                "ours": functools.partial(hasher.verify, stored, PASSWORD),
                "theirs": functools.partial(handler.verify, PASSWORD, stored),
            },
            runs,
        )
        ours, theirs = both["ours"], both["theirs"]
        rows.append(f"| {label} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f}x |")
    return "\n".join(rows)


async def _throughput(profile: Argon2Profile, workers: int) -> float:
    hasher = PasswordHasher(profile=profile, pepper=None, max_concurrency=workers)
    stored = hasher.hash(PASSWORD)
    await hasher.averify(stored, PASSWORD)  # start the pool
    started = time.perf_counter()
    await asyncio.gather(*(hasher.averify(stored, PASSWORD) for _ in range(LOGINS)))
    elapsed = time.perf_counter() - started
    hasher.close()
    return LOGINS / elapsed


def _throughput_section() -> str:
    rows = ["| workers (`max_concurrency`) | verifies/s | vs 1 worker |", "| ---: | ---: | ---: |"]
    base = 0.0
    for workers in (1, 2, 4):
        rate = asyncio.run(_throughput(DEFAULT_PROFILE, workers))
        base = base or rate
        rows.append(f"| {workers} | {rate:.1f} | {rate / base:.2f}x |")
    return "\n".join(rows)


async def _loop_latency(offload: bool) -> tuple[float, float, float]:
    hasher = PasswordHasher(pepper=None)
    stored = hasher.hash(PASSWORD)
    lateness: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            lateness.append(time.perf_counter() - started - 0.001)

    async def login() -> bool:
        if offload:
            return await hasher.averify(stored, PASSWORD)
        await asyncio.sleep(0)
        return hasher.verify(stored, PASSWORD)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await asyncio.gather(*(login() for _ in range(LOGINS)))
    elapsed = time.perf_counter() - started
    done.set()
    await task
    hasher.close()
    lateness.sort()
    p99 = lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))]
    return statistics.median(lateness) * 1000, p99 * 1000, elapsed


def _loop_section() -> str:
    rows = [
        f"| {LOGINS} concurrent logins, default profile | ticker p50 (ms) | ticker p99 (ms) | all done (s) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, offload in (("`averify` (thread pool)", True), ("`verify` on the event loop", False)):
        p50, p99, elapsed = asyncio.run(_loop_latency(offload))
        rows.append(f"| {label} | {p50:.2f} | {p99:.1f} | {elapsed:.2f} |")
    return "\n".join(rows)


def run() -> str:
    cores = os.cpu_count()
    parts = [
        "## Passwords",
        "",
        "`python -m bench passwords`. Medians of repeated runs on one machine; the peers run the same "
        "argon2id parameters in the same process, so the ratios carry over better than the absolute "
        "milliseconds.",
        "",
        "### Profiles",
        "",
        _profiles_section(),
        "",
        "### Verify latency against peers",
        "",
        "All four end in the same argon2 C code, so the honest answer is about 1.0x; the spread is "
        "scheduling noise plus each wrapper's parsing (Sentinel's strict format check and NFKC step).",
        "",
        _peers_section(),
        "",
        "### Legacy verification (pure-Python schemes are the slow ones)",
        "",
        _legacy_section(),
        "",
        f"### Throughput by worker count ({cores} cores; default `max_concurrency` = "
        f"{default_concurrency()})",
        "",
        "One default-profile hash already runs p=4 lanes in parallel threads, so on a machine with 4 "
        "cores or fewer one worker keeps them busy and more workers mostly add queueing; more workers "
        "pay off with more cores, at `max_concurrency x 64 MiB` of memory.",
        "",
        _throughput_section(),
        "",
        "### Event-loop latency (a 1 ms ticker) while logins hash",
        "",
        "Synchronous verifies of requests that arrive together run back to back on the loop, so "
        "every other request waits for all of them; off-loaded, the loop keeps ticking.",
        "",
        _loop_section(),
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    print(run())
