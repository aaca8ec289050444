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

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

from itsdangerous import Signer

from sentinel.keys import Secret

ID_BYTES = 32
#: ``token_urlsafe(32)`` is always 43 characters of the URL-safe base64 alphabet.
ID_LENGTH = 43
_SIGNATURE_LENGTH = 43  # base64url of a 32-byte HMAC-SHA256, unpadded
COOKIE_VALUE_LENGTH = ID_LENGTH + 1 + _SIGNATURE_LENGTH
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}").fullmatch
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
    """Signs IDs with the newest key and verifies them with any key, in constant time.

    The format is itsdangerous's ``Signer`` (HMAC key derivation, SHA-256), so cookies stay
    verifiable by itsdangerous itself. The per-key derivation is done once here rather than on every
    request, which is most of the cost of ``Signer.unsign``.

    Cookie values that verified are remembered (up to ``cache_size``, oldest forgotten first), so a
    returning browser costs one dict lookup. This memoises a pure function of (keys, value): only
    exact strings that passed the HMAC are kept, never failures, and a signer is built per key
    list, so rotating keys starts a fresh cache. Whether a session is still *live* is always asked
    of the store.
    """

    def __init__(self, keys: Sequence[Secret], *, cache_size: int = 4096) -> None:
        # itsdangerous treats the *last* key as the newest; ours are newest first.
        self._signer = Signer(
            [k.reveal() for k in reversed(keys)],
            salt=_SALT,
            key_derivation="hmac",
            digest_method=hashlib.sha256,
        )
        self._derived = [self._signer.derive_key(k.reveal()) for k in keys]
        self._verified: dict[str, str] = {}
        self._cache_size = max(0, cache_size)

    def sign(self, session_id: str) -> str:
        return self._signer.sign(session_id).decode("ascii")

    def unsign(self, cookie_value: str) -> str | None:
        """The ID inside a well-formed, authentic cookie value; ``None`` for anything else."""
        known = self._verified.get(cookie_value)
        if known is not None:
            return known
        if len(cookie_value) != COOKIE_VALUE_LENGTH or _WELL_FORMED(cookie_value) is None:
            return None
        session_id, _, signature = cookie_value.partition(".")
        message = session_id.encode("ascii")
        given = signature.encode("ascii")
        valid = False
        for key in self._derived:  # every key is tried, so timing does not reveal which matched
            # Compare the canonical base64 text, not decoded bytes: base64 decoders ignore the
            # unused low bits of the last character, which would make four spellings of one
            # signature valid.
            expected = base64.urlsafe_b64encode(hmac.digest(key, message, "sha256")).rstrip(b"=")
            valid |= hmac.compare_digest(expected, given)
        if not valid:
            return None
        if self._cache_size:
            if len(self._verified) >= self._cache_size:
                del self._verified[next(iter(self._verified))]
            self._verified[cookie_value] = session_id
        return session_id


__all__ = [
    "COOKIE_VALUE_LENGTH",
    "ID_BYTES",
    "CookieSigner",
    "new_session_id",
    "session_hash",
    "store_key",
]
