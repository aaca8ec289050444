"""Turning a password string into the bytes that get hashed.

New hashes use the UTF-8 bytes of the password in Unicode NFKC form, as NIST SP 800-63B-4 (3.1.1.2)
advises: the same password typed on two keyboards ("é" as one code point or as "e" plus a combining
accent, a full-width digit) then hashes the same. Legacy schemes hash the *raw* UTF-8 bytes, because that
is what the systems that made them did.

Every password is capped at :data:`MAX_PASSWORD_BYTES` (raw and normalised): some legacy schemes
(sha-crypt, phpass) cost time proportional to the length, and refusing beats truncating, which would
silently accept any password sharing the prefix.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sentinel.passwords.errors import InvalidPassword, PasswordTooLong

#: The most bytes a password may have (NIST asks for at least 64 characters; 4096 bytes bounds cost).
MAX_PASSWORD_BYTES = 4096


@dataclass(frozen=True, kw_only=True, repr=False)
class PasswordBytes:
    """The two byte forms of one password. ``repr`` is masked: these are secrets."""

    raw: bytes
    normalized: bytes

    @property
    def is_normalized(self) -> bool:
        return self.raw == self.normalized

    def __repr__(self) -> str:
        return "PasswordBytes('**********')"


def normalize(password: str) -> str:
    """NFKC, the normalisation used both for hashing and for counting length in the policy."""
    return unicodedata.normalize("NFKC", password)


def password_bytes(password: str) -> PasswordBytes:
    """Encode ``password`` (raw and NFKC), refusing what cannot be hashed faithfully."""
    if not isinstance(password, str):
        raise TypeError(f"password must be str, not {type(password).__name__}")
    if len(password) > MAX_PASSWORD_BYTES:  # cheap early exit before encoding a huge string
        raise PasswordTooLong(_too_long(), limit=MAX_PASSWORD_BYTES)
    try:
        raw = password.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidPassword("password contains lone surrogates and is not valid Unicode") from exc
    normalized = raw if password.isascii() else normalize(password).encode("utf-8")
    if max(len(raw), len(normalized)) > MAX_PASSWORD_BYTES:
        raise PasswordTooLong(_too_long(), limit=MAX_PASSWORD_BYTES)
    return PasswordBytes(raw=raw, normalized=normalized)


def _too_long() -> str:
    return f"password is longer than {MAX_PASSWORD_BYTES} bytes; refused rather than truncated"


__all__ = ["MAX_PASSWORD_BYTES", "PasswordBytes", "normalize", "password_bytes"]
