"""bcrypt (``$2a$``, ``$2b$``, ``$2y$``) and the wrappers frameworks put around it: Django's ``bcrypt$``
and ``bcrypt_sha256$``, passlib's ``$bcrypt-sha256$`` (versions 1 and 2), and Flask-Bcrypt's
long-password mode (declared: its hashes look exactly like plain bcrypt).

**Pre-hashes.** Django's ``bcrypt_sha256`` and Flask-Bcrypt with ``BCRYPT_HANDLE_LONG_PASSWORDS=True``
feed bcrypt the lowercase hex SHA-256 of the password (64 bytes). passlib's ``bcrypt_sha256`` feeds it
the standard base64 (44 bytes) of SHA-256(password) in version 1 (``$bcrypt-sha256$2b,12$salt$digest``)
and of HMAC-SHA256 keyed by the 22-character salt *text* in version 2
(``$bcrypt-sha256$v=2,t=2b,r=12$salt$digest``), as libpass's ``passlib/handlers/bcrypt.py`` computes.

**Passwords over 72 bytes.** bcrypt only ever reads 72 bytes of key. The C implementations that made
these hashes (OpenBSD, PHP's crypt, py-bcrypt before 5.0) silently used the first 72 bytes and stopped
at a NUL byte; bcrypt 5.0 raises instead. Sentinel verifies a legacy bcrypt hash exactly as the system
that made it did: the password up to its first NUL byte, then its first 72 bytes. So a user with a
long password can still log in, and a long password never crashes verification. Nothing new is ever
truncated: ``verify_and_update`` replaces the bcrypt hash with argon2 over the *whole* password.

``$2a$``, ``$2b$`` and ``$2y$`` compute the same checksum for any key of 72 bytes or less (they differ
only in how a key of 256+ bytes wrapped around, or in crypt_blowfish's 8-bit bug, ``$2x$``, which is
refused).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

import bcrypt

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash

#: How many key bytes bcrypt reads; the rest was ignored by the systems that made legacy hashes.
BCRYPT_MAX_KEY_BYTES = 72
MIN_COST = 4
#: Cost 18 is ~64x the common cost 12 (about 15 s here); beyond that one row could pin a worker.
MAX_COST = 18
_FORMAT = re.compile(
    r"\$2[aby]\$(?P<cost>[0-9]{2})\$(?P<salt>[./A-Za-z0-9]{22})(?P<checksum>[./A-Za-z0-9]{31})"
)


def bcrypt_key(password: bytes) -> bytes:
    """The bytes a C bcrypt implementation actually used: up to the first NUL, at most 72."""
    return password.split(b"\x00", 1)[0][:BCRYPT_MAX_KEY_BYTES]


def bcrypt_checksum(password: bytes, cost: int, salt: bytes) -> bytes:
    setting = b"$2b$%02d$" % cost + salt
    return bcrypt.hashpw(bcrypt_key(password), setting)[-31:]


class Bcrypt(LegacyScheme):
    name = "bcrypt"
    code = "bc"
    label = "bcrypt ($2a$/$2b$/$2y$)"
    prefix = ""

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith(self.prefix + "$2"):
            return None
        match = _FORMAT.fullmatch(stored, len(self.prefix))
        if match is None:
            raise self.malformed("is not $2b$NN$ + salt(22) + checksum(31); $2x$ is not supported")
        params = LegacyParams(cost=(int(match["cost"]),), salt=match["salt"].encode("ascii"))
        self.check_params(params)
        return ParsedHash(scheme=self, params=params, checksum=match["checksum"].encode("ascii"))

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return bcrypt_checksum(self.prehash(password, params), params.cost[0], params.salt)

    def prehash(self, password: bytes, params: LegacyParams) -> bytes:
        return password

    def check_params(self, params: LegacyParams) -> None:
        if len(params.cost) != 1 or not MIN_COST <= params.cost[0] <= MAX_COST:
            raise self.malformed(f"its cost is outside {MIN_COST}..{MAX_COST}")
        if len(params.salt) != 22:
            raise self.malformed("its salt is not 22 characters")


class DjangoBcrypt(Bcrypt):
    name = "django-bcrypt"
    code = "dbc"
    label = "Django bcrypt (bcrypt$$2b$...)"
    prefix = "bcrypt$"


class DjangoBcryptSha256(Bcrypt):
    """Django's BCryptSHA256PasswordHasher: bcrypt over the hex SHA-256 of the password (no 72 limit)."""

    name = "django-bcrypt-sha256"
    code = "dbs"
    label = "Django bcrypt_sha256 (bcrypt_sha256$$2b$...)"
    prefix = "bcrypt_sha256$"

    def prehash(self, password: bytes, params: LegacyParams) -> bytes:
        return binascii.hexlify(hashlib.sha256(password).digest())


class FlaskBcryptSha256(DjangoBcryptSha256):
    """Flask-Bcrypt with ``BCRYPT_HANDLE_LONG_PASSWORDS=True``: plain ``$2b$`` over the hex SHA-256.

    Declared only (``PasswordHasher(flask_bcrypt_long_passwords=True)``, ``--recipe
    flask-bcrypt-long-passwords``): nothing in the hash tells it from plain bcrypt.
    """

    name = "flask-bcrypt-sha256"
    code = "fbs"
    label = "Flask-Bcrypt long-password mode (bcrypt over hex sha256, declared)"
    prefix = ""
    declared = True


#: passlib's bcrypt_sha256: the rounds are canonical decimals, the salt's last character has its
#: unused bits clear (passlib refuses other salts in version 2).
_PASSLIB_V1 = re.compile(
    r"\$bcrypt-sha256\$2[ab],(?P<cost>[1-9][0-9]?)\$(?P<salt>[./A-Za-z0-9]{22})\$(?P<checksum>[./A-Za-z0-9]{31})"
)
_PASSLIB_V2 = re.compile(
    r"\$bcrypt-sha256\$v=2,t=2b,r=(?P<cost>[1-9][0-9]?)\$(?P<salt>[./A-Za-z0-9]{21}[.Oeu])"
    r"\$(?P<checksum>[./A-Za-z0-9]{31})"
)


class PasslibBcryptSha256(Bcrypt):
    """passlib's ``$bcrypt-sha256$2b,12$salt$digest`` (version 1): bcrypt over base64(sha256(password))."""

    name = "passlib-bcrypt-sha256"
    code = "pbs"
    label = "passlib bcrypt_sha256 v1 ($bcrypt-sha256$2b,12$...)"
    pattern: re.Pattern[str] = _PASSLIB_V1

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith("$bcrypt-sha256$") or stored.startswith("$bcrypt-sha256$v=") != (
            self.pattern is _PASSLIB_V2
        ):
            return None
        match = self.pattern.fullmatch(stored)
        if match is None:
            raise self.malformed(
                "does not have passlib's layout (rounds, 22-character salt, 31-character digest)"
            )
        params = LegacyParams(cost=(int(match["cost"]),), salt=match["salt"].encode("ascii"))
        self.check_params(params)
        return ParsedHash(scheme=self, params=params, checksum=match["checksum"].encode("ascii"))

    def prehash(self, password: bytes, params: LegacyParams) -> bytes:
        return base64.b64encode(hashlib.sha256(password).digest())


class PasslibBcryptSha256V2(PasslibBcryptSha256):
    """passlib's ``$bcrypt-sha256$v=2,t=2b,r=12$salt$digest``: bcrypt over base64(HMAC-SHA256(salt
    text, password)), so a table of known SHA-256 digests does not help an attacker."""

    name = "passlib-bcrypt-sha256-v2"
    code = "pbs2"
    label = "passlib bcrypt_sha256 v2 ($bcrypt-sha256$v=2,...)"
    pattern = _PASSLIB_V2

    def prehash(self, password: bytes, params: LegacyParams) -> bytes:
        return base64.b64encode(hmac.new(params.salt, password, hashlib.sha256).digest())

    def check_params(self, params: LegacyParams) -> None:
        super().check_params(params)
        if not params.salt.endswith((b".", b"O", b"e", b"u")):
            raise self.malformed("its salt's last character has unused bits set (passlib refuses it)")


__all__ = [
    "BCRYPT_MAX_KEY_BYTES",
    "Bcrypt",
    "DjangoBcrypt",
    "DjangoBcryptSha256",
    "FlaskBcryptSha256",
    "PasslibBcryptSha256",
    "PasslibBcryptSha256V2",
    "bcrypt_checksum",
    "bcrypt_key",
]
