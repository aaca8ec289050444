"""md5-crypt (``$1$``, Poul-Henning Kamp's FreeBSD scheme) and Apache's ``$apr1$`` variant.

Pure Python: the ``crypt`` module is gone in Python 3.13, and glibc may not offer md5-crypt anyway. The
algorithm is fixed at 1000 MD5 rounds, so the cost is bounded by the password length cap.
"""

from __future__ import annotations

import hashlib
import re

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash, b64_from_24bit

_FORMAT = re.compile(r"\$(?P<magic>1|apr1)\$(?P<salt>[./0-9A-Za-z]{0,8})\$(?P<checksum>[./0-9A-Za-z]{22})")
#: (a, b, c) byte triples of the final digest, encoded 4 characters each; byte 11 goes last, alone.
_ORDER = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))


def md5_crypt_checksum(password: bytes, salt: bytes, magic: bytes) -> str:
    """The 22-character checksum of md5-crypt (``magic`` ``b"$1$"``) or apr1 (``b"$apr1$"``)."""
    salt = salt[:8]
    alternate = hashlib.md5(password + salt + password, usedforsecurity=False).digest()  # nosec SNT904  # legacy scheme: verifies stored hashes only
    data = bytearray(password + magic + salt)
    for remaining in range(len(password), 0, -16):
        data += alternate[: min(16, remaining)]
    length = len(password)
    while length:
        data += b"\x00" if length & 1 else password[:1]
        length >>= 1
    final = hashlib.md5(data, usedforsecurity=False).digest()
    for i in range(1000):
        block = bytearray(password if i & 1 else final)
        if i % 3:
            block += salt
        if i % 7:
            block += password
        block += final if i & 1 else password
        final = hashlib.md5(block, usedforsecurity=False).digest()
    encoded = "".join(b64_from_24bit(final[a], final[b], final[c], 4) for a, b, c in _ORDER)
    return encoded + b64_from_24bit(0, 0, final[11], 2)


class _Md5CryptBase(LegacyScheme):
    magic = ""
    uses = frozenset({"salt"})

    def parse(self, stored: str) -> ParsedHash | None:
        prefix = f"${self.magic}$"
        if not stored.startswith(prefix):
            return None
        match = _FORMAT.fullmatch(stored)
        if match is None or match["magic"] != self.magic:
            raise self.malformed("is not $magic$salt(0-8)$checksum(22) in the crypt alphabet")
        return ParsedHash(
            scheme=self,
            params=LegacyParams(salt=match["salt"].encode("ascii")),
            checksum=match["checksum"].encode("ascii"),
        )

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        magic = f"${self.magic}$".encode("ascii")
        return md5_crypt_checksum(password, params.salt, magic).encode("ascii")

    def check_params(self, params: LegacyParams) -> None:
        if len(params.salt) > 8:
            raise self.malformed("its salt is longer than 8 characters")


class Md5Crypt(_Md5CryptBase):
    name = "md5-crypt"
    code = "m1"
    label = "md5-crypt ($1$)"
    magic = "1"


class AprMd5Crypt(_Md5CryptBase):
    name = "apr-md5-crypt"
    code = "apr"
    label = "Apache md5-crypt ($apr1$)"
    magic = "apr1"


__all__ = ["AprMd5Crypt", "Md5Crypt", "md5_crypt_checksum"]
