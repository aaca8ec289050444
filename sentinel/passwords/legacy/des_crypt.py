"""Traditional DES crypt(3): 2 characters of salt, 11 of checksum, the first 8 password bytes only.

It is what Django's ``CryptPasswordHasher`` (removed in Django 5.0) wrote on Linux: ``crypt$$`` + the
13-character value of ``crypt.crypt(password, two random salt characters)``. Python's ``crypt``
module is gone in 3.13, so this is a plain, table-driven implementation of FIPS 46 DES with the
crypt(3) changes (7 bits of each of the first 8 password bytes as the key, 25 encryptions of a zero
block, the salt swapping pairs of E-box outputs). It is slow (milliseconds) but bounded: the input
is at most 8 bytes and 25 DES runs, whatever the password length.

A DES-crypt hash only ever depended on 8 characters of 7 bits: anyone with the table can search
it exhaustively, so wrapping it is a stopgap until the user's next login replaces it.
"""

from __future__ import annotations

import re

from sentinel.passwords.legacy.base import CRYPT64, LegacyParams, LegacyScheme, ParsedHash

_FORMAT = re.compile(r"(?P<salt>[./0-9A-Za-z]{2})(?P<checksum>[./0-9A-Za-z]{11})")

# fmt: off
_IP = (58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
       62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
       57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
       61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7)
_E = (32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
      16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1)
_P = (16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
      2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25)
_PC1 = (57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27,
        19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
        14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4)
_PC2 = (14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32)
_SHIFTS = (1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1)
_S = (  # S1..S8, four rows of sixteen each
    (
        (14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7),
        (0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8),
        (4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0),
        (15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13),
    ),
    (
        (15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10),
        (3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5),
        (0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15),
        (13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9),
    ),
    (
        (10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8),
        (13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1),
        (13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7),
        (1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12),
    ),
    (
        (7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15),
        (13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9),
        (10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4),
        (3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14),
    ),
    (
        (2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9),
        (14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6),
        (4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14),
        (11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3),
    ),
    (
        (12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11),
        (10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8),
        (9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6),
        (4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13),
    ),
    (
        (4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1),
        (13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6),
        (1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2),
        (6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12),
    ),
    (
        (13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7),
        (1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2),
        (7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8),
        (2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11),
    ),
)
# fmt: on
#: The final permutation is the inverse of the initial one.
_FP = tuple(_IP.index(i) + 1 for i in range(1, 65))


def _subkeys(key_bits: list[int]) -> list[list[int]]:
    cd = [key_bits[i - 1] for i in _PC1]
    c, d = cd[:28], cd[28:]
    keys = []
    for shift in _SHIFTS:
        c, d = c[shift:] + c[:shift], d[shift:] + d[:shift]
        cd = c + d
        keys.append([cd[i - 1] for i in _PC2])
    return keys


def _salted_e(salt: bytes) -> tuple[int, ...]:
    """The E table with entries ``k`` and ``k + 24`` swapped for each set bit ``k`` of the salt."""
    table = list(_E)
    for i, char in enumerate(salt[:2]):
        value = CRYPT64.index(chr(char))
        for j in range(6):
            if (value >> j) & 1:
                k = 6 * i + j
                table[k], table[k + 24] = table[k + 24], table[k]
    return tuple(table)


def des_crypt_checksum(password: bytes, salt: bytes) -> str:
    """The 11-character checksum crypt(3) gives ``password`` under the 2-character ``salt``."""
    key = password.split(b"\x00", 1)[0][:8].ljust(8, b"\x00")
    key_bits = [((byte << 1) >> (7 - bit)) & 1 for byte in key for bit in range(8)]
    subkeys = _subkeys(key_bits)
    e_table = _salted_e(salt)
    block = [0] * 64
    for _ in range(25):
        permuted = [block[i - 1] for i in _IP]
        left, right = permuted[:32], permuted[32:]
        for subkey in subkeys:
            mixed = [right[e - 1] ^ k for e, k in zip(e_table, subkey, strict=True)]
            out: list[int] = []
            for box in range(8):
                six = mixed[6 * box : 6 * box + 6]
                row = (six[0] << 1) | six[5]
                col = (six[1] << 3) | (six[2] << 2) | (six[3] << 1) | six[4]
                value = _S[box][row][col]
                out += [(value >> (3 - bit)) & 1 for bit in range(4)]
            left, right = right, [left[i] ^ out[p - 1] for i, p in enumerate(_P)]
        preoutput = right + left
        block = [preoutput[i - 1] for i in _FP]
    bits = [*block, 0, 0]
    return "".join(CRYPT64[int("".join(map(str, bits[6 * i : 6 * i + 6])), 2)] for i in range(11))


class DesCrypt(LegacyScheme):
    """``ssCCCCCCCCCCC``: recognised only inside Django's ``crypt$`` (bare, it would match any 13
    characters of the crypt alphabet, so it is never guessed from a value alone)."""

    name = "des-crypt"
    code = "des"
    label = "DES crypt (crypt(3), 8 characters)"
    declared = True
    uses = frozenset({"salt"})

    def parse(self, stored: str) -> ParsedHash | None:
        match = _FORMAT.fullmatch(stored)
        if match is None:
            return None
        return ParsedHash(
            scheme=self,
            params=LegacyParams(salt=match["salt"].encode("ascii")),
            checksum=match["checksum"].encode("ascii"),
        )

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return des_crypt_checksum(password, params.salt).encode("ascii")

    def check_params(self, params: LegacyParams) -> None:
        if len(params.salt) != 2 or any(chr(c) not in CRYPT64 for c in params.salt):
            raise self.malformed("its salt is not 2 characters of the crypt alphabet")


__all__ = ["DesCrypt", "des_crypt_checksum"]
