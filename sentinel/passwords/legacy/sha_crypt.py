"""sha256-crypt (``$5$``) and sha512-crypt (``$6$``), Ulrich Drepper's specification, in pure Python.

``rounds=N$`` is honoured and, as the specification says, clamped to at least 1000. The default (no
``rounds=``) is 5000. Rounds above :data:`MAX_ROUNDS` are refused: the loop runs in Python and holds the
GIL, and an absurd row (the format allows 999,999,999) would pin a worker for minutes.

The round loop repeats with period 42 (lcm of 2, 3 and 7), so each round's constant bytes are
precomputed once and every round is one hash call.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash, b64_from_24bit, decimal

DEFAULT_ROUNDS = 5000
MIN_ROUNDS = 1000
#: Highest rounds= accepted (passlib's defaults, 535000/656000, are well inside).
MAX_ROUNDS = 10_000_000
_SPEC_MAX_ROUNDS = 999_999_999

_FORMAT = re.compile(
    r"\$(?P<id>[56])\$(?:rounds=(?P<rounds>[0-9]{1,10})\$)?(?P<salt>[./0-9A-Za-z]{0,16})\$(?P<checksum>[./0-9A-Za-z]+)"
)


def _encoding_order(third: int, rotation: tuple[tuple[int, int, int], ...]) -> tuple[tuple[int, ...], ...]:
    """The specification's byte permutation: groups (i, i+third, i+2*third), rotated by i mod 3."""
    order = []
    for i in range(third):
        group = (i, i + third, i + 2 * third)
        order.append(tuple(group[k] for k in rotation[i % 3]))
    return tuple(order)


_ORDERS = {
    32: _encoding_order(10, ((0, 1, 2), (2, 0, 1), (1, 2, 0))),
    64: _encoding_order(21, ((0, 1, 2), (1, 2, 0), (2, 0, 1))),
}


def _encode(digest: bytes) -> str:
    groups = "".join(b64_from_24bit(digest[a], digest[b], digest[c], 4) for a, b, c in _ORDERS[len(digest)])
    if len(digest) == 32:
        return groups + b64_from_24bit(0, digest[31], digest[30], 3)
    return groups + b64_from_24bit(0, 0, digest[63], 2)


def _repeat(block: bytes, length: int) -> bytes:
    return (block * (length // len(block) + 1))[:length]


def sha_crypt_checksum(password: bytes, salt: bytes, rounds: int, hash_fn: Callable[..., object]) -> str:
    """The checksum of sha256-crypt or sha512-crypt (``hash_fn`` ``hashlib.sha256``/``sha512``)."""

    def digest(data: bytes) -> bytes:
        return hash_fn(data).digest()  # type: ignore[attr-defined,no-any-return]

    salt = salt[:16]
    rounds = max(MIN_ROUNDS, rounds)
    b = digest(password + salt + password)
    data = bytearray(password + salt + _repeat(b, len(password)))
    length = len(password)
    while length:
        data += b if length & 1 else password
        length >>= 1
    a = digest(bytes(data))
    p = _repeat(digest(password * len(password)), len(password))
    s = _repeat(digest(salt * (16 + a[0])), len(salt))
    # Round r hashes (C or P) [+ S if r % 3] [+ P if r % 7] + (P or C): C first on even rounds, last
    # on odd ones. Precompute each pair's constant sides; the pattern repeats every 42 rounds.
    pairs = []
    for r in range(0, 42, 2):
        even = (s if r % 3 else b"") + (p if r % 7 else b"") + p
        odd = p + (s if (r + 1) % 3 else b"") + (p if (r + 1) % 7 else b"")
        pairs.append((even, odd))
    c = a
    blocks, tail = divmod(rounds, 42)
    for _ in range(blocks):
        for even, odd in pairs:
            c = hash_fn(odd + hash_fn(c + even).digest()).digest()  # type: ignore[attr-defined]
    for r in range(tail):
        even, odd = pairs[r // 2]
        c = hash_fn(odd + c if r & 1 else c + even).digest()  # type: ignore[attr-defined]
    return _encode(c)


class _ShaCryptBase(LegacyScheme):
    ident = ""
    checksum_size = 0
    hash_fn: Callable[..., object] = hashlib.sha256

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith(f"${self.ident}$"):
            return None
        match = _FORMAT.fullmatch(stored)
        if match is None or len(match["checksum"]) != self.checksum_size:
            raise self.malformed(f"is not ${self.ident}$[rounds=N$]salt$checksum({self.checksum_size})")
        cost: tuple[int, ...] = ()
        if match["rounds"] is not None:
            rounds = decimal(match["rounds"], low=1, high=_SPEC_MAX_ROUNDS)
            if rounds is None:
                raise self.malformed("its rounds= is not a canonical number in 1..999999999")
            cost = (rounds,)
        params = LegacyParams(cost=cost, salt=match["salt"].encode("ascii"))
        self.check_params(params)
        return ParsedHash(scheme=self, params=params, checksum=match["checksum"].encode("ascii"))

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        rounds = params.cost[0] if params.cost else DEFAULT_ROUNDS
        return sha_crypt_checksum(password, params.salt, rounds, type(self).hash_fn).encode("ascii")

    def check_params(self, params: LegacyParams) -> None:
        if len(params.cost) > 1 or (params.cost and not 1 <= params.cost[0] <= MAX_ROUNDS):
            raise self.malformed(f"its rounds exceed the supported maximum of {MAX_ROUNDS}")
        if len(params.salt) > 16:
            raise self.malformed("its salt is longer than 16 characters")


class Sha256Crypt(_ShaCryptBase):
    name = "sha256-crypt"
    code = "s5"
    label = "sha256-crypt ($5$)"
    ident = "5"
    checksum_size = 43
    hash_fn = hashlib.sha256


class Sha512Crypt(_ShaCryptBase):
    name = "sha512-crypt"
    code = "s6"
    label = "sha512-crypt ($6$)"
    ident = "6"
    checksum_size = 86
    hash_fn = hashlib.sha512


__all__ = ["MAX_ROUNDS", "Sha256Crypt", "Sha512Crypt", "sha_crypt_checksum"]
