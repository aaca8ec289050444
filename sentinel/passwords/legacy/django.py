"""Django's legacy hashers: ``pbkdf2_sha256$``, ``pbkdf2_sha1$``, salted ``md5$`` and ``sha1$``.

``pbkdf2_<hash>$<iterations>$<salt>$<base64 derived key>``; ``md5$<salt>$<hex>`` is md5(salt + password)
and ``sha1$<salt>$<hex>`` sha1(salt + password). ``sha1$$<hex>`` (Django's unsalted SHA-1) is the same
format with an empty salt. Werkzeug before 0.9 wrote ``sha1$salt$hex`` too, but as HMAC(salt, password):
Sentinel reads these prefixes as Django's (declare a ``HexRecipe`` for anything else).
"""

from __future__ import annotations

import hashlib
import re

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash, b64decode_strict, decimal

#: Django 5.2 uses 1,000,000; ten times that is ~5 s of PBKDF2 and the most Sentinel accepts.
MAX_ITERATIONS = 10_000_000
#: Printable ASCII except ``$`` (Django refuses ``$`` in a salt), up to 64 characters.
_SALT = r"[!-#%-~]{0,64}"
_PBKDF2 = re.compile(
    r"pbkdf2_(?P<hash>sha256|sha1)\$(?P<iterations>[0-9]{1,10})\$(?P<salt>"
    + _SALT
    + r")\$(?P<dk>[A-Za-z0-9+/=]+)"
)
_SALTED = re.compile(r"(?P<hash>md5|sha1)\$(?P<salt>" + _SALT + r")\$(?P<hex>[0-9a-fA-F]+)")


class _DjangoPbkdf2(LegacyScheme):
    hash_name = ""

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith(f"pbkdf2_{self.hash_name}$"):
            return None
        match = _PBKDF2.fullmatch(stored)
        if match is None:
            raise self.malformed("is not pbkdf2_<hash>$iterations$salt$base64")
        iterations = decimal(match["iterations"], low=1, high=MAX_ITERATIONS)
        derived = b64decode_strict(match["dk"])
        if iterations is None:
            raise self.malformed(f"its iterations are not a number in 1..{MAX_ITERATIONS}")
        if derived is None or len(derived) != hashlib.new(self.hash_name).digest_size:
            raise self.malformed("its derived key is not base64 of one digest")
        params = LegacyParams(cost=(iterations,), salt=match["salt"].encode("ascii"))
        return ParsedHash(scheme=self, params=params, checksum=derived)

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return hashlib.pbkdf2_hmac(self.hash_name, password, params.salt, params.cost[0])

    def check_params(self, params: LegacyParams) -> None:
        if len(params.cost) != 1 or not 1 <= params.cost[0] <= MAX_ITERATIONS:
            raise self.malformed(f"its iterations are outside 1..{MAX_ITERATIONS}")


class DjangoPbkdf2Sha256(_DjangoPbkdf2):
    name = "django-pbkdf2-sha256"
    label = "Django pbkdf2_sha256"
    hash_name = "sha256"


class DjangoPbkdf2Sha1(_DjangoPbkdf2):
    name = "django-pbkdf2-sha1"
    label = "Django pbkdf2_sha1"
    hash_name = "sha1"


class _DjangoSalted(LegacyScheme):
    hash_name = ""
    uses = frozenset({"salt"})

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith(f"{self.hash_name}$"):
            return None
        match = _SALTED.fullmatch(stored)
        size = hashlib.new(self.hash_name, usedforsecurity=False).digest_size
        if match is None or len(match["hex"]) != 2 * size:
            raise self.malformed(f"is not {self.hash_name}$salt$hex({2 * size})")
        return ParsedHash(
            scheme=self,
            params=LegacyParams(salt=match["salt"].encode("ascii")),
            checksum=bytes.fromhex(match["hex"]),
        )

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return hashlib.new(self.hash_name, params.salt + password, usedforsecurity=False).digest()  # nosec SNT904  # legacy scheme: verifies stored hashes only


class DjangoSaltedMd5(_DjangoSalted):
    name = "django-salted-md5"
    label = "Django salted md5 (md5$salt$hex)"
    hash_name = "md5"


class DjangoSaltedSha1(_DjangoSalted):
    name = "django-salted-sha1"
    label = "Django salted sha1 (sha1$salt$hex)"
    hash_name = "sha1"


__all__ = [
    "MAX_ITERATIONS",
    "DjangoPbkdf2Sha1",
    "DjangoPbkdf2Sha256",
    "DjangoSaltedMd5",
    "DjangoSaltedSha1",
]
