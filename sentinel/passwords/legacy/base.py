"""What every legacy scheme provides, and the helpers they share.

A legacy hash splits into a *public* part (:class:`LegacyParams`: cost, salt, hash function, recipe) and
a *checksum*, the part only the password can reproduce. Verification recomputes the checksum from the
password and the public part and compares in constant time. Wrapping (see ``wrap.py``) keeps the public
part in clear and argon2-hashes the checksum, so a wrapped hash verifies with the same two steps plus
argon2, and needs no password to create.
"""

from __future__ import annotations

import base64
import binascii
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from sentinel.passwords.errors import UnknownHashFormat

#: The alphabet of crypt(3)'s base64 ("./0-9A-Za-z"), used by md5-crypt, sha-crypt, phpass, bcrypt salts.
CRYPT64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CRYPT64_CHARS = frozenset(CRYPT64)


@dataclass(frozen=True, kw_only=True)
class LegacyParams:
    """The public part of a legacy hash: enough to recompute its checksum from a password."""

    #: Scheme-specific integers: bcrypt cost, iterations, rounds, log2 rounds, or scrypt (n, r, p).
    cost: tuple[int, ...] = ()
    salt: bytes = b""
    #: Hash function name for schemes that take one (``sha256`` in werkzeug's ``pbkdf2:sha256:...``).
    hash_name: str = ""
    #: Canonical ``HexRecipe`` formula (hex digests only).
    formula: str = ""


@dataclass(frozen=True, kw_only=True, repr=False)
class ParsedHash:
    """A stored legacy hash, split. ``repr`` hides the checksum."""

    scheme: LegacyScheme
    params: LegacyParams
    checksum: bytes

    def __repr__(self) -> str:
        return f"ParsedHash(scheme={self.scheme.name!r}, checksum='***')"


class LegacyScheme(ABC):
    """One legacy hash format. Subclasses are stateless singletons registered in ``registry.py``."""

    #: Stable identifier, written into wrapped hashes: never rename one.
    name: str = ""
    #: Short stable code naming the scheme in a compact (``$sw2$``) wrap: never change one.
    code: str = ""
    #: Human description for reports and docs.
    label: str = ""
    #: Whether ``parse`` needs a declared recipe (bare hex) or declaration (plaintext).
    declared: bool = False
    #: The ``LegacyParams`` fields this scheme reads; a wrapped value setting any other is refused.
    uses: frozenset[str] = frozenset({"cost", "salt"})

    @abstractmethod
    def parse(self, stored: str) -> ParsedHash | None:
        """Split ``stored``; ``None`` if it is not this scheme; raise ``UnknownHashFormat`` if it
        clearly claims to be this scheme (by prefix) but is malformed or out of bounds."""

    @abstractmethod
    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        """Recompute the checksum of ``password`` under ``params`` (raw UTF-8 password bytes)."""

    def check_params(self, params: LegacyParams) -> None:  # noqa: B027 - optional hook, default: no limits
        """Raise ``UnknownHashFormat`` when ``params`` (e.g. read back from a wrapped hash) are out of
        bounds. Bounds keep one hostile or absurd row from costing minutes of CPU."""

    def check_fields(self, params: LegacyParams) -> None:
        """Refuse parameters this scheme never reads, so each wrapped value has a single spelling."""
        for name in ("cost", "salt", "hash_name", "formula"):
            if name not in self.uses and getattr(params, name):
                raise self.malformed(f"it carries a {name} parameter the scheme does not use")

    def malformed(self, why: str) -> UnknownHashFormat:
        return UnknownHashFormat(f"stored value looks like {self.label} but {why}")


def crypt64_ok(text: str) -> bool:
    return all(ch in _CRYPT64_CHARS for ch in text)


def b64_from_24bit(b2: int, b1: int, b0: int, n: int) -> str:
    """crypt(3)'s base64 of one 24-bit group, least significant 6 bits first, ``n`` characters."""
    w = (b2 << 16) | (b1 << 8) | b0
    out = []
    for _ in range(n):
        out.append(CRYPT64[w & 0x3F])
        w >>= 6
    return "".join(out)


def h64_encode(data: bytes) -> str:
    """Little-endian crypt64 of a byte string (phpass's ``encode64``): 3 bytes -> 4 characters."""
    out = []
    for i in range(0, len(data), 3):
        chunk = data[i : i + 3]
        value = int.from_bytes(chunk, "little")
        for _ in range(len(chunk) + 1):
            out.append(CRYPT64[value & 0x3F])
            value >>= 6
    return "".join(out)


_STD_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def b64decode_strict(text: str) -> bytes | None:
    """Canonical standard base64 with padding, or ``None``: no silent skipping of stray characters."""
    if len(text) % 4 or not _STD_B64.fullmatch(text):
        return None
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    # Canonical only: unused low bits of the last character must be zero, so one value, one string.
    return decoded if base64.b64encode(decoded).decode("ascii") == text else None


def decimal(text: str, *, low: int, high: int) -> int | None:
    """A plain decimal (no sign, no leading zeros, no underscores) within ``[low, high]``, or ``None``."""
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0") or len(text) > 10:
        return None
    value = int(text)
    return value if low <= value <= high else None


__all__ = [
    "CRYPT64",
    "LegacyParams",
    "LegacyScheme",
    "ParsedHash",
    "b64_from_24bit",
    "b64decode_strict",
    "crypt64_ok",
    "decimal",
    "h64_encode",
]
