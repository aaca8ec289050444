"""Session ID analysis: deterministic tests catch constructions; random IDs raise nothing."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid

import pytest

from scanner.analysis import deterministic_weaknesses, estimate, fips_140_2, to_bits
from scanner.analysis.entropy import classify
from scanner.analysis.predictability import counter, hashed_counter, shared_prefix, timestamp, uuid_v1

NOW = 1_750_000_000.0


def kinds(samples: list[str]) -> set[str]:
    return {w.kind for w in deterministic_weaknesses(samples, now=NOW)}


@pytest.mark.parametrize(
    "make",
    [
        lambda i: secrets.token_urlsafe(32),
        lambda i: secrets.token_hex(16),
        lambda i: str(uuid.uuid4()),
        lambda i: secrets.token_urlsafe(32) + "." + secrets.token_urlsafe(32),
    ],
    ids=["token_urlsafe", "token_hex", "uuid4", "signed"],
)
def test_random_ids_show_no_deterministic_weakness(make: object) -> None:
    samples = [make(i) for i in range(64)]  # type: ignore[operator]
    assert kinds(samples) == set()


def test_counters_timestamps_and_uuid1_are_named() -> None:
    stride = [f"{(2**40 + 7919 * i):016x}" for i in range(64)]
    assert counter(stride) is not None and "exactly 7919" in counter(stride).detail  # type: ignore[union-attr]
    planted_style = [f"{int(NOW)}{i:04d}" for i in range(64)]
    assert {"counter", "timestamp"} <= kinds(planted_style)
    hex_ms = [f"{int(NOW * 1000) + 37 * i:x}" + secrets.token_hex(8) for i in range(64)]
    assert timestamp(hex_ms, now=NOW) is not None
    assert uuid_v1([str(uuid.uuid1()) for _ in range(10)]) is not None
    assert kinds(["dup", "dup", "x1y"]) >= {"duplicates"}
    assert shared_prefix(["customer-0000-" + secrets.token_hex(4) for _ in range(20)]) is not None


def test_hashed_counter_is_reproduced_beyond_statistics() -> None:
    hashed = [hashlib.md5(str(n).encode(), usedforsecurity=False).hexdigest() for n in range(500, 564)]
    weakness = hashed_counter(hashed, now=NOW)
    assert weakness is not None and weakness.proof and "MD5" in weakness.detail
    # ...which the statistics cannot see: the bits pass FIPS 140-2 and the entropy looks full.
    many = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(100)]
    bits = to_bits(many)
    assert bits is not None and fips_140_2(bits).passed
    assert estimate(many).capacity_bits == 256
    by_time = [hashlib.sha1(str(int(NOW) - 5).encode(), usedforsecurity=False).hexdigest()] * 2
    assert hashed_counter(by_time, now=NOW) is not None


def test_entropy_capacity_and_alphabet() -> None:
    assert classify(["0123", "4567"]).name == "digits"
    assert classify([secrets.token_urlsafe(16) for _ in range(64)]).name == "base64url"
    digits = estimate([f"{int(time.time())}{i:04d}" for i in range(64)])
    assert digits.capacity_bits < 20
    strong = estimate([secrets.token_urlsafe(32) for _ in range(64)])
    assert strong.capacity_bits >= 256 and strong.estimated_bits > 200
    assert estimate([str(uuid.uuid4()) for _ in range(64)]).capacity_bits == pytest.approx(31 * 4, abs=4)


def test_fips_140_2() -> None:
    stream = b"".join(hashlib.sha256(str(n).encode()).digest() for n in range(80))  # fixed, random-looking
    bits = [(byte >> i) & 1 for byte in stream for i in range(8)]
    assert fips_140_2(bits).passed
    assert fips_140_2([0] * 20_000).failed_tests() == ["monobit", "poker", "runs", "long_run"]
    alternating = [i % 2 for i in range(20_000)]
    result = fips_140_2(alternating)
    assert result.monobit and not result.runs and not result.poker
    with pytest.raises(ValueError):
        fips_140_2([1] * 100)


def test_to_bits_drops_constant_columns() -> None:
    samples = [str(uuid.uuid4()) for _ in range(64)]
    bits = to_bits(samples)
    assert bits is not None and len(bits) == 64 * 122  # 128 bits minus version (4) and variant (2)
    assert to_bits([f"{i:05d}" for i in range(64)]) is None
