"""RFC 2307 userPassword values: ``{SHA}``, ``{SSHA}`` and their MD5/SHA-256/SHA-512 siblings.

``{SHA}base64(sha1(password))``; ``{SSHA}base64(sha1(password + salt) + salt)``, the salt being whatever
follows the digest (OpenLDAP uses 4 bytes, others 8 or 16). The scheme tag is case-insensitive, as in
OpenLDAP. Some directories and apps store the unsalted digests in hex instead (``{MD5}`` + 32 hex
digits): a hex body has exactly twice the digest's size in characters, which as base64 would decode to
one and a half digests, so the two spellings can never be confused.
"""

from __future__ import annotations

import hashlib
import re

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash, b64decode_strict

MAX_SALT_BYTES = 64
_HEX = re.compile(r"[0-9a-fA-F]+")


class LdapScheme(LegacyScheme):
    """One ``{TAG}`` variant; the module's instances are registered, one per tag."""

    def __init__(self, tag: str, hash_name: str, *, salted: bool) -> None:
        self.tag = tag
        self.hash_name = hash_name
        self.salted = salted
        self.uses = frozenset({"salt"})
        self.name = f"ldap-{'salted-' if salted else ''}{hash_name}"
        self.code = f"l{'s' if salted else ''}{hash_name.removeprefix('sha')}"
        self.label = f"LDAP {tag}"

    def parse(self, stored: str) -> ParsedHash | None:
        head = stored[: len(self.tag)]
        if (
            not head.isascii() or head.upper() != self.tag
        ):  # isascii: some non-ASCII letters upper-case to ASCII
            return None
        body = stored[len(self.tag) :]
        size = hashlib.new(self.hash_name, usedforsecurity=False).digest_size
        if not self.salted and _HEX.fullmatch(body) and len(body) == 2 * size:
            return ParsedHash(scheme=self, params=LegacyParams(), checksum=bytes.fromhex(body))
        decoded = b64decode_strict(body)
        if decoded is None:
            raise self.malformed(f"its body is neither padded standard base64 nor {2 * size} hex digits")
        salt = decoded[size:]
        if len(decoded) < size or (self.salted and not 1 <= len(salt) <= MAX_SALT_BYTES):
            raise self.malformed(f"it does not hold a {size}-byte digest and a 1..{MAX_SALT_BYTES}-byte salt")
        if not self.salted and salt:
            raise self.malformed(
                f"its body is not one {size}-byte digest in base64 ({4 * ((size + 2) // 3)} characters) "
                f"or hex ({2 * size} characters)"
            )
        return ParsedHash(scheme=self, params=LegacyParams(salt=salt), checksum=decoded[:size])

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return hashlib.new(self.hash_name, password + params.salt, usedforsecurity=False).digest()  # nosec SNT904  # legacy scheme: verifies stored hashes only

    def check_params(self, params: LegacyParams) -> None:
        if len(params.salt) > MAX_SALT_BYTES or (self.salted and not params.salt):
            raise self.malformed(f"its salt is not 1..{MAX_SALT_BYTES} bytes")
        if not self.salted and params.salt:
            raise self.malformed("an unsalted scheme carries a salt")


#: Every supported tag. Longer tags first is not needed: each parse checks its whole tag.
LDAP_SCHEMES: tuple[LdapScheme, ...] = (
    LdapScheme("{MD5}", "md5", salted=False),
    LdapScheme("{SMD5}", "md5", salted=True),
    LdapScheme("{SHA}", "sha1", salted=False),
    LdapScheme("{SSHA}", "sha1", salted=True),
    LdapScheme("{SHA256}", "sha256", salted=False),
    LdapScheme("{SSHA256}", "sha256", salted=True),
    LdapScheme("{SHA512}", "sha512", salted=False),
    LdapScheme("{SSHA512}", "sha512", salted=True),
)

__all__ = ["LDAP_SCHEMES", "LdapScheme"]
