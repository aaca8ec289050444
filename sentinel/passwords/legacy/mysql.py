"""MySQL 4.1+ ``PASSWORD()`` / ``mysql_native_password``: ``*`` + 40 hex of sha1(sha1(password)).

The format has no salt, so it is exactly as weak as it looks; identify it, verify it once, replace it.
"""

from __future__ import annotations

import hashlib
import re

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash

_FORMAT = re.compile(r"\*[0-9A-Fa-f]{40}")


class Mysql41(LegacyScheme):
    name = "mysql41"
    code = "my"
    label = "MySQL 4.1 PASSWORD() (*HEX)"
    uses: frozenset[str] = frozenset()

    def parse(self, stored: str) -> ParsedHash | None:
        if not stored.startswith("*"):
            return None
        if _FORMAT.fullmatch(stored) is None:
            raise self.malformed("is not * followed by 40 hex digits")
        return ParsedHash(scheme=self, params=LegacyParams(), checksum=bytes.fromhex(stored[1:]))

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        inner = hashlib.sha1(password, usedforsecurity=False).digest()  # nosec SNT904  # legacy scheme: verifies stored hashes only
        return hashlib.sha1(inner, usedforsecurity=False).digest()

    def check_params(self, params: LegacyParams) -> None:
        if params != LegacyParams():
            raise self.malformed("it carries parameters it never has")


__all__ = ["Mysql41"]
