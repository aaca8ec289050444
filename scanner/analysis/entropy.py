"""How much entropy a sample of session IDs can carry, and how much it appears to carry.

Two figures, both per character position over equal-length IDs:

- *capacity*: for each position that varies in the sample, log2 of the alphabet's size. It is an
  upper bound: positions that never varied (a timestamp's high digits, a fixed prefix, separators)
  add nothing. Capacity below the threshold is a confirmed finding: the format cannot hold more.
- *estimate*: per position, the Miller-Madow corrected Shannon entropy of the observed characters,
  capped at the alphabet's log2. It falls short of capacity when positions are visibly biased.

The alphabet is the smallest standard one that holds every character seen at varying positions
(digits, hex, base36, alphanumeric, base64url, base64), so "0-9" IDs are not credited 6 bits a char.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
_DIGITS = "0123456789"
ALPHABETS: tuple[tuple[str, str], ...] = (
    ("digits", _DIGITS),
    ("hex", _DIGITS + "abcdef"),
    ("HEX", _DIGITS + "ABCDEF"),
    ("base36", _DIGITS + _LOWER),
    ("alphanumeric", _UPPER + _LOWER + _DIGITS),
    ("base64url", _UPPER + _LOWER + _DIGITS + "-_"),
    ("base64", _UPPER + _LOWER + _DIGITS + "+/"),
)
#: Alphabets whose characters map to whole bits (for the FIPS 140-2 tests).
BIT_ALPHABETS = frozenset({"hex", "HEX", "base64url", "base64"})


@dataclass(frozen=True, kw_only=True)
class Alphabet:
    name: str
    chars: str

    @property
    def bits_per_char(self) -> float:
        return math.log2(len(self.chars))


@dataclass(frozen=True, kw_only=True)
class EntropyEstimate:
    alphabet: Alphabet
    length: int
    varying_positions: int
    capacity_bits: float
    estimated_bits: float
    samples: int

    def describe(self) -> str:
        return (
            f"{self.samples} IDs of {self.length} characters ({self.alphabet.name} alphabet): "
            f"{self.varying_positions} positions vary; capacity {self.capacity_bits:.0f} bits, "
            f"estimated entropy {self.estimated_bits:.0f} bits"
        )


def aligned(samples: list[str]) -> list[str]:
    """The samples cut to the shortest length, so positions line up."""
    shortest = min(len(s) for s in samples)
    return [s[:shortest] for s in samples]


def varying_positions(samples: list[str]) -> list[int]:
    rows = aligned(samples)
    return [i for i in range(len(rows[0])) if len({r[i] for r in rows}) > 1]


def classify(samples: list[str]) -> Alphabet:
    rows = aligned(samples)
    used = {r[i] for r in rows for i in varying_positions(rows)} or set("".join(rows))
    for name, chars in ALPHABETS:
        if used <= set(chars):
            return Alphabet(name=name, chars=chars)
    distinct = "".join(sorted(set("".join(samples))))
    return Alphabet(name=f"{len(distinct)} characters", chars=distinct)


def miller_madow(counts: Counter[str], total: int) -> float:
    plug_in = -sum(c / total * math.log2(c / total) for c in counts.values())
    return plug_in + (len(counts) - 1) / (2 * total * math.log(2))


def estimate(samples: list[str]) -> EntropyEstimate:
    """Capacity and estimated entropy of the sample (at least two IDs)."""
    rows = aligned(samples)
    alphabet = classify(rows)
    positions = varying_positions(rows)
    per_char = alphabet.bits_per_char
    estimated = sum(min(per_char, miller_madow(Counter(r[i] for r in rows), len(rows))) for i in positions)
    return EntropyEstimate(
        alphabet=alphabet,
        length=len(rows[0]),
        varying_positions=len(positions),
        capacity_bits=per_char * len(positions),
        estimated_bits=estimated,
        samples=len(rows),
    )


def to_bits(samples: list[str]) -> list[int] | None:
    """The sample's random-looking bits for FIPS testing, or None when the alphabet has no bit mapping.

    Characters at varying positions are mapped to their index bits; then every bit column that is
    constant across the sample is dropped (a UUID's version bits, base64 padding bits), since a bit
    that never changes says nothing about the generator and would bias the monobit test."""
    rows = aligned(samples)
    alphabet = classify(rows)
    if alphabet.name not in BIT_ALPHABETS:
        return None
    width = int(alphabet.bits_per_char)
    index = {c: i for i, c in enumerate(alphabet.chars)}
    positions = varying_positions(rows)
    matrix = [
        [(index[r[i]] >> shift) & 1 for i in positions for shift in range(width - 1, -1, -1)] for r in rows
    ]
    if not matrix or not matrix[0]:
        return []
    keep = [col for col in range(len(matrix[0])) if len({row[col] for row in matrix}) > 1]
    return [row[col] for row in matrix for col in keep]


__all__ = [
    "ALPHABETS",
    "BIT_ALPHABETS",
    "Alphabet",
    "EntropyEstimate",
    "aligned",
    "classify",
    "estimate",
    "miller_madow",
    "to_bits",
    "varying_positions",
]
