"""Werkzeug's ``generate_password_hash`` formats: ``pbkdf2:<hash>:<iterations>$salt$hex`` and
``scrypt:<n>:<r>:<p>$salt$hex``.

Werkzeug always writes the parameters it used. A value without them (``pbkdf2:sha256$...``) would be
checked against whatever default the installed Werkzeug has, which changed between releases, so it is
refused as malformed rather than guessed.
"""

from __future__ import annotations

import hashlib
import re

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash, decimal

#: Hash functions Werkzeug users plausibly chose for pbkdf2 (any hashlib name was accepted).
PBKDF2_HASHES = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512"})
MAX_PBKDF2_ITERATIONS = 10_000_000
#: scrypt memory is 128 * n * r * p bytes; 1 GiB is the most one verification may allocate.
MAX_SCRYPT_BYTES = 1 << 30
_SALT = r"(?P<salt>[A-Za-z0-9]{1,64})"
_PBKDF2 = re.compile(
    r"pbkdf2:(?P<hash>[a-z0-9]{3,8}):(?P<iterations>[0-9]{1,10})\$" + _SALT + r"\$(?P<hex>[0-9a-f]+)"
)
_SCRYPT = re.compile(
    r"scrypt:(?P<n>[0-9]{1,10}):(?P<r>[0-9]{1,4}):(?P<p>[0-9]{1,4})\$" + _SALT + r"\$(?P<hex>[0-9a-f]+)"
)


class WerkzeugPbkdf2(LegacyScheme):
    name = "werkzeug-pbkdf2"
    code = "wp"
    label = "Werkzeug pbkdf2 (pbkdf2:sha256:N$salt$hex)"
    uses = frozenset({"cost", "salt", "hash_name"})

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith("pbkdf2:"):
            return None
        match = _PBKDF2.fullmatch(stored)
        if match is None:
            raise self.malformed("is not pbkdf2:<hash>:<iterations>$salt$hex")
        iterations = decimal(match["iterations"], low=1, high=MAX_PBKDF2_ITERATIONS)
        params = LegacyParams(
            cost=(iterations or 0,), salt=match["salt"].encode("ascii"), hash_name=match["hash"]
        )
        self.check_params(params)
        checksum = bytes.fromhex(match["hex"]) if len(match["hex"]) % 2 == 0 else b""
        if len(checksum) != hashlib.new(params.hash_name).digest_size:
            raise self.malformed("its hex is not one digest of its hash function")
        return ParsedHash(scheme=self, params=params, checksum=checksum)

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return hashlib.pbkdf2_hmac(params.hash_name, password, params.salt, params.cost[0])

    def check_params(self, params: LegacyParams) -> None:
        if params.hash_name not in PBKDF2_HASHES:
            raise self.malformed(f"its hash function is not one of {sorted(PBKDF2_HASHES)}")
        if len(params.cost) != 1 or not 1 <= params.cost[0] <= MAX_PBKDF2_ITERATIONS:
            raise self.malformed(f"its iterations are not a number in 1..{MAX_PBKDF2_ITERATIONS}")


class WerkzeugScrypt(LegacyScheme):
    name = "werkzeug-scrypt"
    code = "ws"
    label = "Werkzeug scrypt (scrypt:n:r:p$salt$hex)"
    dklen = 64

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith("scrypt:"):
            return None
        match = _SCRYPT.fullmatch(stored)
        if match is None or len(match["hex"]) != 128:
            raise self.malformed("is not scrypt:n:r:p$salt$hex(128)")
        cost = tuple(decimal(match[k], low=1, high=1 << 30) or 0 for k in ("n", "r", "p"))
        params = LegacyParams(cost=cost, salt=match["salt"].encode("ascii"))
        self.check_params(params)
        return ParsedHash(scheme=self, params=params, checksum=bytes.fromhex(match["hex"]))

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        n, r, p = params.cost
        # Werkzeug's own maxmem rule (132 instead of 128 bytes per n*r*p), so what it made verifies.
        return hashlib.scrypt(
            password, salt=params.salt, n=n, r=r, p=p, maxmem=132 * n * r * p, dklen=self.dklen
        )

    def check_params(self, params: LegacyParams) -> None:
        if len(params.cost) != 3 or min(params.cost) < 1:
            raise self.malformed("it does not have three positive numbers n, r, p")
        n, r, p = params.cost
        if n < 2 or n & (n - 1) or 128 * n * r * p > MAX_SCRYPT_BYTES:
            raise self.malformed("its n is not a power of two or it needs more than 1 GiB of memory")


__all__ = ["WerkzeugPbkdf2", "WerkzeugScrypt"]
