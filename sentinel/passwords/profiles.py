"""Named argon2id cost profiles, and the floor below which Sentinel refuses to hash.

Presets follow argon2-cffi's ``profiles`` module: a profile is a typed value with a name, never a set
of loose numbers. The floor is OWASP's Password Storage Cheat Sheet table for argon2id, whose rows
"provide an equal level of defense" (memory traded against passes)::

    m = 46 MiB, t >= 1   |   m = 19 MiB, t >= 2   |   m = 12 MiB, t >= 3
    m =  9 MiB, t >= 4   |   m =  7 MiB, t >= 5        (parallelism 1 or more)

A profile meets the floor when it reaches some row's memory *and* passes. Salts and tags shorter than
16 bytes (RFC 9106's 128 bits) are also weak. A weak profile needs ``allow_weak=True``, which warns.
"""

from __future__ import annotations

from dataclasses import dataclass

import argon2
from argon2.low_level import Type

#: (memory KiB, minimum passes) rows of OWASP's equivalent argon2id configurations.
OWASP_MINIMUMS: tuple[tuple[int, int], ...] = (
    (47104, 1),
    (19456, 2),
    (12288, 3),
    (9216, 4),
    (7168, 5),
)
MIN_SALT_BYTES = 16
MIN_HASH_BYTES = 16


@dataclass(frozen=True, kw_only=True)
class Argon2Profile:
    """An argon2id cost setting. ``memory_cost`` is in KiB; memory in use = concurrency x memory_cost."""

    name: str
    time_cost: int
    memory_cost: int
    parallelism: int
    hash_len: int = 32
    salt_len: int = 16

    def parameters(self) -> argon2.Parameters:
        """The argon2-cffi ``Parameters`` this profile hashes with (always argon2id, version 19)."""
        return argon2.Parameters(
            type=Type.ID,
            version=19,
            salt_len=self.salt_len,
            hash_len=self.hash_len,
            time_cost=self.time_cost,
            memory_cost=self.memory_cost,
            parallelism=self.parallelism,
        )

    def invalid_reasons(self) -> list[str]:
        """Values argon2 itself rejects; never allowed, whatever ``allow_weak`` says."""
        problems = []
        if not 1 <= self.parallelism <= 255:
            problems.append(f"profile {self.name!r}: parallelism must be 1..255")
        if self.time_cost < 1:
            problems.append(f"profile {self.name!r}: time_cost must be at least 1")
        if self.memory_cost < 8 * max(self.parallelism, 1):
            problems.append(f"profile {self.name!r}: memory_cost must be at least 8 KiB per lane")
        if not 8 <= self.salt_len <= 64 or not 4 <= self.hash_len <= 64:
            problems.append(f"profile {self.name!r}: salt_len must be 8..64 and hash_len 4..64 bytes")
        return problems

    def weak_reasons(self) -> list[str]:
        """Why this profile is below the OWASP floor (empty when it is not)."""
        problems = []
        if not any(self.memory_cost >= m and self.time_cost >= t for m, t in OWASP_MINIMUMS):
            problems.append(
                f"profile {self.name!r} (m={self.memory_cost} KiB, t={self.time_cost}) is below OWASP's "
                "argon2id minimum (19 MiB with t>=2, or an equivalent row)"
            )
        if self.salt_len < MIN_SALT_BYTES or self.hash_len < MIN_HASH_BYTES:
            problems.append(
                f"profile {self.name!r}: salt_len and hash_len must be at least {MIN_SALT_BYTES} bytes"
            )
        return problems


#: RFC 9106's second recommended option (argon2-cffi's default): t=3, 64 MiB, p=4. Sentinel's default.
RFC_9106_LOW_MEMORY = Argon2Profile(name="rfc9106-low-memory", time_cost=3, memory_cost=65536, parallelism=4)

#: OWASP's minimum: t=2, 19 MiB, p=1. For small machines; about a third of the default's memory.
OWASP = Argon2Profile(name="owasp", time_cost=2, memory_cost=19456, parallelism=1)

#: Costs nothing, protects nothing. Only for test suites, and only with ``allow_weak=True``.
INSECURE_TEST_ONLY = Argon2Profile(
    name="insecure-test-only", time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=16
)

DEFAULT_PROFILE = RFC_9106_LOW_MEMORY

#: Every preset by name, e.g. for a ``--profile`` command-line option.
PROFILES: dict[str, Argon2Profile] = {
    "default": DEFAULT_PROFILE,
    RFC_9106_LOW_MEMORY.name: RFC_9106_LOW_MEMORY,
    OWASP.name: OWASP,
    INSECURE_TEST_ONLY.name: INSECURE_TEST_ONLY,
}

__all__ = [
    "DEFAULT_PROFILE",
    "INSECURE_TEST_ONLY",
    "OWASP",
    "OWASP_MINIMUMS",
    "PROFILES",
    "RFC_9106_LOW_MEMORY",
    "Argon2Profile",
]
