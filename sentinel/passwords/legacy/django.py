"""Django's hashers: ``pbkdf2_sha256$``, ``pbkdf2_sha1$``, ``scrypt$``, ``crypt$``, salted ``md5$`` and
``sha1$`` (Django's ``argon2$`` is argon2 itself and is read in ``identify``).

``scrypt$<n>$<salt>$<r>$<p>$<base64 of 64 bytes>`` is hashlib.scrypt(password, salt, n, r, p,
dklen=64). ``crypt$<salt>$<data>`` (CryptPasswordHasher, Django 4.2 and before) is
``crypt.crypt(password, data)``: Django always wrote an empty salt field and a 2-character salt, which
glibc reads as traditional DES crypt; a ``data`` that is itself md5-crypt, sha256-crypt, sha512-crypt or
bcrypt (a hash made by crypt(3) elsewhere) is read as that scheme, since the ``crypt$`` prefix takes no
part in the checksum.

``pbkdf2_<hash>$<iterations>$<salt>$<base64 derived key>``; ``md5$<salt>$<hex>`` is md5(salt + password)
and ``sha1$<salt>$<hex>`` sha1(salt + password). ``sha1$$<hex>`` (Django's unsalted SHA-1) is the same
format with an empty salt. Werkzeug before 0.9 wrote ``sha1$salt$hex`` too, but as HMAC(salt, password):
Sentinel reads these prefixes as Django's (declare a ``HexRecipe`` for anything else).
"""

from __future__ import annotations

import hashlib
import re

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash, b64decode_strict, decimal
from sentinel.passwords.legacy.bcrypt_scheme import Bcrypt
from sentinel.passwords.legacy.des_crypt import DesCrypt
from sentinel.passwords.legacy.md5_crypt import Md5Crypt
from sentinel.passwords.legacy.sha_crypt import Sha256Crypt, Sha512Crypt
from sentinel.passwords.legacy.werkzeug import WerkzeugScrypt

#: Django 5.2 uses 1,000,000; ten times that is ~5 s of PBKDF2 and the most Sentinel accepts.
MAX_ITERATIONS = 10_000_000
#: Printable ASCII except ``$`` (Django refuses ``$`` in a salt), up to 64 characters.
_SALT = r"[!-#%-~]{0,64}"
_PBKDF2 = re.compile(
    r"pbkdf2_(?P<hash>sha256|sha1)\$(?P<iterations>[0-9]{1,10})\$(?P<salt>"
    + _SALT
    + r")\$(?P<dk>[A-Za-z0-9+/=]+)"
)
_SCRYPT = re.compile(
    r"scrypt\$(?P<n>[0-9]{1,10})\$(?P<salt>"
    + _SALT
    + r")\$(?P<r>[0-9]{1,4})\$(?P<p>[0-9]{1,4})\$(?P<hash>[A-Za-z0-9+/]{86}==)"
)
_CRYPT = re.compile(r"crypt\$(?P<salt>[./0-9A-Za-z]{0,2})\$(?P<data>[^$]{13}|\$.+)")
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
    code = "dp"
    label = "Django pbkdf2_sha256"
    hash_name = "sha256"


class DjangoPbkdf2Sha1(_DjangoPbkdf2):
    name = "django-pbkdf2-sha1"
    code = "dp1"
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
    code = "dm"
    label = "Django salted md5 (md5$salt$hex)"
    hash_name = "md5"


class DjangoSaltedSha1(_DjangoSalted):
    name = "django-salted-sha1"
    code = "ds"
    label = "Django salted sha1 (sha1$salt$hex)"
    hash_name = "sha1"


class DjangoScrypt(WerkzeugScrypt):
    """Django's ScryptPasswordHasher (4.0+); the same bounds as Werkzeug's scrypt."""

    name = "django-scrypt"
    code = "dsc"
    label = "Django scrypt (scrypt$16384$salt$8$1$...)"

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith("scrypt$"):
            return None
        match = _SCRYPT.fullmatch(stored)
        if match is None:
            raise self.malformed("is not scrypt$n$salt$r$p$base64(64 bytes)")
        cost = tuple(decimal(match[k], low=1, high=1 << 30) or 0 for k in ("n", "r", "p"))
        params = LegacyParams(cost=cost, salt=match["salt"].encode("ascii"))
        self.check_params(params)
        derived = b64decode_strict(match["hash"])
        if derived is None or len(derived) != 64:
            raise self.malformed("its hash is not canonical base64 of 64 bytes")
        return ParsedHash(scheme=self, params=params, checksum=derived)


#: What crypt(3) output a ``crypt$`` value may hold, and the scheme that reads it.
_CRYPT_DATA: tuple[LegacyScheme, ...] = (Md5Crypt(), Sha256Crypt(), Sha512Crypt(), Bcrypt(), DesCrypt())


class DjangoCrypt(LegacyScheme):
    """``crypt$$<crypt(3) output>``: parsed as the scheme that made the output (never wrapped by this
    name, so it has no code of its own)."""

    name = "django-crypt"
    label = "Django crypt (crypt$$...)"

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith("crypt$"):
            return None
        match = _CRYPT.fullmatch(stored)
        if match is None:
            raise self.malformed("is not crypt$$ followed by 13 characters of DES crypt or a $id$ hash")
        data = match["data"]
        for scheme in _CRYPT_DATA:
            parsed = scheme.parse(data)
            if parsed is not None:
                if match["salt"] and parsed.params.salt[:2] != match["salt"].encode("ascii"):
                    raise self.malformed("its salt field disagrees with the crypt(3) value")
                return parsed
        raise self.malformed("its crypt(3) value is none of DES, $1$, $5$, $6$ or $2b$")

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:  # pragma: no cover - never wrapped
        raise NotImplementedError("crypt$ values are parsed as the scheme inside them")


__all__ = [
    "MAX_ITERATIONS",
    "DjangoCrypt",
    "DjangoPbkdf2Sha1",
    "DjangoPbkdf2Sha256",
    "DjangoSaltedMd5",
    "DjangoSaltedSha1",
    "DjangoScrypt",
]
