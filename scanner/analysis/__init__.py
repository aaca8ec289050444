"""Analysis of session ID samples: deterministic predictability tests, entropy, FIPS 140-2."""

from scanner.analysis.entropy import EntropyEstimate, estimate, to_bits
from scanner.analysis.fips import SAMPLE_BITS, FipsResult, fips_140_2
from scanner.analysis.predictability import Weakness, deterministic_weaknesses

__all__ = [
    "SAMPLE_BITS",
    "EntropyEstimate",
    "FipsResult",
    "Weakness",
    "deterministic_weaknesses",
    "estimate",
    "fips_140_2",
    "to_bits",
]
