"""A column the operator has *declared* to hold plaintext passwords. Never inferred from a value.

The comparison hashes both sides with SHA-256 first, so its time depends on neither the stored
password's content nor its length. An empty stored value is never a password (legacy apps store an
empty string for "no password set"), so it is refused as an unknown format instead.
"""

from __future__ import annotations

import hashlib

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash


class Plaintext(LegacyScheme):
    name = "plaintext"
    code = "pt"
    label = "PLAINTEXT password (declared)"
    declared = True
    uses: frozenset[str] = frozenset()

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored:
            return None
        try:
            raw = stored.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return ParsedHash(scheme=self, params=LegacyParams(), checksum=hashlib.sha256(raw).digest())

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return hashlib.sha256(password).digest()  # nosec SNT904  # legacy scheme: verifies stored hashes only


__all__ = ["Plaintext"]
