"""phpass portable hashes: ``$P$`` (WordPress, Drupal 7 imports) and ``$H$`` (phpBB3), same algorithm.

``$P$`` + one crypt64 character giving log2(rounds) + 8 salt characters + 22 checksum characters. The
checksum is MD5 iterated ``2**log2`` times over ``previous digest + password``. Pure Python, holding the
GIL, so log2 above :data:`MAX_LOG2_ROUNDS` is refused (phpass allows up to 30: a billion MD5 calls).
"""

from __future__ import annotations

import hashlib
import re

from sentinel.passwords.legacy.base import CRYPT64, LegacyParams, LegacyScheme, ParsedHash, h64_encode

MIN_LOG2_ROUNDS = 7
#: WordPress uses 13 ("B"), passlib 19 ("H"); 2**22 MD5 calls is about a second in Python.
MAX_LOG2_ROUNDS = 22
_FORMAT = re.compile(
    r"\$(?P<ident>[PH])\$(?P<count>[./0-9A-Za-z])(?P<salt>[./0-9A-Za-z]{8})(?P<checksum>[./0-9A-Za-z]{22})"
)


def phpass_checksum(password: bytes, salt: bytes, log2_rounds: int) -> str:
    digest = hashlib.md5(salt + password, usedforsecurity=False).digest()  # nosec SNT904  # legacy scheme: verifies stored hashes only
    for _ in range(1 << log2_rounds):
        digest = hashlib.md5(digest + password, usedforsecurity=False).digest()  # nosec SNT904  # legacy scheme: verifies stored hashes only
    return h64_encode(digest)


class Phpass(LegacyScheme):
    name = "phpass"
    code = "pp"
    label = "phpass portable hash ($P$ / $H$)"

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith(("$P$", "$H$")):
            return None
        match = _FORMAT.fullmatch(stored)
        if match is None:
            raise self.malformed("is not $P$ + rounds(1) + salt(8) + checksum(22) in the crypt alphabet")
        params = LegacyParams(cost=(CRYPT64.index(match["count"]),), salt=match["salt"].encode("ascii"))
        self.check_params(params)
        return ParsedHash(scheme=self, params=params, checksum=match["checksum"].encode("ascii"))

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return phpass_checksum(password, params.salt, params.cost[0]).encode("ascii")

    def check_params(self, params: LegacyParams) -> None:
        if len(params.cost) != 1 or not MIN_LOG2_ROUNDS <= params.cost[0] <= MAX_LOG2_ROUNDS:
            raise self.malformed(f"its log2 rounds are outside {MIN_LOG2_ROUNDS}..{MAX_LOG2_ROUNDS}")
        if len(params.salt) != 8:
            raise self.malformed("its salt is not 8 characters")


__all__ = ["MAX_LOG2_ROUNDS", "Phpass", "phpass_checksum"]
