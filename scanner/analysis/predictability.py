"""Deterministic predictability tests on a sample of session IDs, run before any statistics.

Statistics can be fooled (a counter fed through SHA-256 passes every entropy and FIPS test; per-position
tests pass a counter's low digits), so each test here looks for a *construction* an attacker could
replay, and each positive result names it:

- duplicates: the same ID issued twice;
- counters: the IDs, read as numbers and sorted, are evenly spaced or closer than 2**24 apart;
- embedded timestamps: the current Unix time (s or ms; decimal, hex or raw bytes) at a fixed offset;
- UUIDv1: time-and-MAC based UUIDs;
- hashed counters or timestamps: an ID equals MD5/SHA-1/SHA-256 of a small integer or of a recent
  Unix time (the test reproduces the ID, so a hit is proof);
- shared prefix: most of the ID is the same for everyone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from scanner.analysis.entropy import aligned, classify

SMALL_GAP = 2**24
TIMESTAMP_WINDOW_S = 2 * 86_400
HASHED_COUNTER_MAX = 20_000
HASHED_TIME_WINDOW_S = 900
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?([0-9a-f])[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
_MAJORITY = 0.8


@dataclass(frozen=True, kw_only=True)
class Weakness:
    """One predictable construction found. ``proof`` is True when the test reproduced IDs exactly."""

    kind: str
    detail: str
    proof: bool


def duplicates(samples: list[str]) -> Weakness | None:
    repeated = [v for v, n in Counter(samples).items() if n > 1]
    if not repeated:
        return None
    return Weakness(kind="duplicates", detail=f"{len(repeated)} ID(s) were issued more than once", proof=True)


def as_integers(samples: list[str]) -> list[int] | None:
    """The IDs as numbers (decimal, hex or base64 bytes), or None when they are not one of those."""
    alphabet = classify(samples).name
    try:
        if alphabet == "digits":
            return [int(s) for s in samples]
        if alphabet in ("hex", "HEX"):
            return [int(s, 16) for s in samples]
        if alphabet in ("base64url", "base64", "alphanumeric"):
            decode = base64.urlsafe_b64decode if alphabet != "base64" else base64.b64decode
            return [int.from_bytes(decode(s + "=" * (-len(s) % 4)), "big") for s in samples]
    except (ValueError, binascii.Error):
        return None
    return None


def counter(samples: list[str]) -> Weakness | None:
    numbers = as_integers(samples)
    if numbers is None or len(set(numbers)) < 3:
        return None
    ordered = sorted(set(numbers))
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    if len(set(gaps)) == 1:
        return Weakness(
            kind="counter", detail=f"sorted as numbers, the IDs step by exactly {gaps[0]}", proof=True
        )
    median = statistics.median(gaps)
    if median < SMALL_GAP:
        return Weakness(
            kind="counter",
            detail=f"sorted as numbers, neighbouring IDs are a median {median:.0f} apart (under 2**24)",
            proof=True,
        )
    return None


def _time_hits(sample: str, now: float) -> set[tuple[str, int]]:
    hits: set[tuple[str, int]] = set()
    low, high = now - TIMESTAMP_WINDOW_S, now + TIMESTAMP_WINDOW_S
    for width, scale, kind in ((10, 1, "decimal seconds"), (13, 1000, "decimal milliseconds")):
        for m in re.finditer(rf"(?=(\d{{{width}}}))", sample):
            if low <= int(m.group(1)) / scale <= high:
                hits.add((kind, m.start()))
    for width, scale, kind in ((8, 1, "hex seconds"), (11, 1000, "hex milliseconds")):
        for m in re.finditer(rf"(?=([0-9a-fA-F]{{{width}}}))", sample):
            if low <= int(m.group(1), 16) / scale <= high:
                hits.add((kind, m.start()))
    return hits


def timestamp(samples: list[str], *, now: float | None = None) -> Weakness | None:
    current = time.time() if now is None else now
    seen: Counter[tuple[str, int]] = Counter()
    for sample in samples:
        seen.update(_time_hits(sample, current))
    if not seen:
        return None
    (kind, offset), count = seen.most_common(1)[0]
    if count < _MAJORITY * len(samples):
        return None
    return Weakness(
        kind="timestamp",
        detail=f"{count} of {len(samples)} IDs embed the current time ({kind}, at character {offset})",
        proof=False,
    )


def uuid_v1(samples: list[str]) -> Weakness | None:
    versions = [m.group(1) for s in samples if (m := _UUID.fullmatch(s))]
    if versions and len(versions) == len(samples) and all(v == "1" for v in versions):
        return Weakness(
            kind="uuid1",
            detail="the IDs are version-1 UUIDs (creation time and host MAC address)",
            proof=False,
        )
    return None


def hashed_counter(samples: list[str], *, now: float | None = None) -> Weakness | None:
    lengths = {len(s) for s in samples}
    if len(lengths) != 1 or lengths.pop() not in (32, 40, 64) or classify(samples).name not in ("hex", "HEX"):
        return None
    wanted = {s.lower() for s in samples}
    current = int(time.time() if now is None else now)
    seeds = [("counter", n) for n in range(HASHED_COUNTER_MAX)]
    seeds += [("timestamp", t) for t in range(current - HASHED_TIME_WINDOW_S, current + HASHED_TIME_WINDOW_S)]
    for origin, seed in seeds:
        data = str(seed).encode()
        shown = seed if origin == "counter" else "near now"
        for algorithm in ("md5", "sha1", "sha256"):
            if hashlib.new(algorithm, data, usedforsecurity=False).hexdigest() in wanted:
                return Weakness(
                    kind="hashed " + origin,
                    detail=f"an ID equals {algorithm.upper()}({origin} {shown})",
                    proof=True,
                )
    return None


def shared_prefix(samples: list[str]) -> Weakness | None:
    rows = aligned(samples)
    prefix = 0
    while prefix < len(rows[0]) and len({r[prefix] for r in rows}) == 1:
        prefix += 1
    if prefix >= 4 and prefix * 2 >= len(rows[0]):
        return Weakness(
            kind="shared prefix",
            detail=f"the first {prefix} of {len(rows[0])} characters are the same in every ID",
            proof=False,
        )
    return None


def deterministic_weaknesses(samples: list[str], *, now: float | None = None) -> list[Weakness]:
    """Every deterministic weakness found, strongest (proven) first."""
    found = [
        duplicates(samples),
        counter(samples),
        hashed_counter(samples, now=now),
        timestamp(samples, now=now),
        uuid_v1(samples),
        shared_prefix(samples),
    ]
    return sorted((w for w in found if w is not None), key=lambda w: not w.proof)


__all__ = [
    "Weakness",
    "as_integers",
    "counter",
    "deterministic_weaknesses",
    "duplicates",
    "hashed_counter",
    "shared_prefix",
    "timestamp",
    "uuid_v1",
]
