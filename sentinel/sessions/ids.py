"""Session IDs: minting, cookie signing, and the hashes that stand in for an ID.

An ID is 256 bits from :mod:`secrets` (a CSPRNG). The cookie carries ``id.signature`` where the
signature is HMAC-SHA256 (itsdangerous) under the newest key; any configured key verifies, so keys can
rotate. A forged or malformed cookie is refused by a length check and the HMAC alone, with no store
lookup, so guessing costs an attacker nothing but costs us nothing either.

Two different hashes replace the raw ID wherever it would otherwise be kept:
``store_key`` names the record (a dump of the store hands out no live session) and ``session_hash``
goes into logs (a log reader cannot look records up by it either).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from itsdangerous import BadSignature, Signer

from sentinel.keys import Secret

ID_BYTES = 32
#: ``token_urlsafe(32)`` is always 43 characters of the URL-safe base64 alphabet.
ID_LENGTH = 43
_SIGNATURE_LENGTH = 43  # base64url of a 32-byte HMAC-SHA256, unpadded
COOKIE_VALUE_LENGTH = ID_LENGTH + 1 + _SIGNATURE_LENGTH
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
_SALT = b"sentinel.session.cookie"


def new_session_id() -> str:
    """A fresh 256-bit ID from the OS CSPRNG."""
    return secrets.token_urlsafe(ID_BYTES)


def store_key(session_id: str) -> str:
    """The name a record is stored under: SHA-256 of the ID, never the ID itself."""
    return hashlib.sha256(b"sentinel.store:" + session_id.encode()).hexdigest()


def session_hash(session_id: str) -> str:
    """A short, log-safe stand-in for an ID, distinct from :func:`store_key`."""
    return hashlib.sha256(b"sentinel.log:" + session_id.encode()).hexdigest()[:16]


class CookieSigner:
    """Signs IDs with the newest key and verifies them with any key, in constant time."""

    def __init__(self, keys: Sequence[Secret]) -> None:
        # itsdangerous treats the *last* key as the newest; ours are newest first.
        self._signer = Signer(
            [k.reveal() for k in reversed(keys)],
            salt=_SALT,
            key_derivation="hmac",
            digest_method=hashlib.sha256,
        )

    def sign(self, session_id: str) -> str:
        return self._signer.sign(session_id).decode("ascii")

    def unsign(self, cookie_value: str) -> str | None:
        """The ID inside a well-formed, authentic cookie value; ``None`` for anything else."""
        if len(cookie_value) != COOKIE_VALUE_LENGTH or not _ALPHABET.issuperset(cookie_value):
            return None
        try:
            return self._signer.unsign(cookie_value).decode("ascii")
        except BadSignature:
            return None


__all__ = [
    "COOKIE_VALUE_LENGTH",
    "ID_BYTES",
    "CookieSigner",
    "new_session_id",
    "session_hash",
    "store_key",
]
