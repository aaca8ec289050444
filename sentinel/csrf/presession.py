"""The pre-session cookie: what an anonymous visitor's CSRF tokens are bound to, at no server cost.

A public page with a form needs a token, and a token must be bound to something the visitor's
browser holds and another site cannot read or set. Binding it to a stored session (as before) made
every anonymous page view cost a server-side record: a flood of page views filled the store and
locked new visitors out. The pre-session cookie holds that binding on the client instead::

    __Host-sentinel-pre = b64url(nonce[32] || issued_at[8] || HMAC-SHA256(key, label || nonce || issued_at))

- the 256-bit random ``nonce`` plays the role of the session's seed: tokens are
  ``r || HMAC(token key, nonce, r)`` (:class:`~sentinel.csrf.tokens.TokenSigner`, with a label of its
  own so an anonymous token never verifies against a session);
- the MAC, under a key derived for this purpose alone from the CSRF key list (newest signs, all
  verify), means only this server mints valid cookies, so a client cannot pick its nonce;
- ``issued_at`` bounds a cookie's life server-side (``presession_max_age``), whatever the browser
  keeps;
- ``__Host-`` + ``Secure`` + no ``Domain`` + ``Path=/``: a sibling subdomain, or a network attacker
  on plain HTTP, cannot plant or overwrite it (cookie tossing); ``HttpOnly``: page scripts cannot read
  it; ``SameSite=Lax``: it is not sent on cross-site POSTs at all.

At login the binding moves into the session (tokens then use the session's seed and the user's
identity) and the cookie is expired; at logout of an authenticated session it is expired too. Either
way, a token issued before no longer verifies afterwards.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
from collections.abc import Sequence

from sentinel.keys import Secret, derive_key

NONCE_BYTES = 32
_TIME_BYTES = 8
_MAC_BYTES = 32
_RAW_BYTES = NONCE_BYTES + _TIME_BYTES + _MAC_BYTES
#: Length of a cookie value: base64url of 72 bytes, unpadded.
COOKIE_VALUE_LENGTH = 96
_LABEL = b"sentinel.csrf.presession.v1"
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{96}").fullmatch


class PreSessionCookie:
    """Mints and verifies pre-session cookie values for one key list (newest first)."""

    def __init__(self, keys: Sequence[Secret], *, max_age: int) -> None:
        self._keys = [derive_key(k, "csrf.presession").reveal() for k in keys]
        self.max_age = max_age

    def _mac(self, key: bytes, body: bytes) -> bytes:
        return hmac.digest(key, _LABEL + body, "sha256")

    def mint(self, now: float) -> tuple[bytes, str]:
        """A fresh ``(nonce, cookie value)``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        body = nonce + int(now).to_bytes(_TIME_BYTES, "big")
        raw = body + self._mac(self._keys[0], body)
        return nonce, base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def read(self, value: str, now: float) -> bytes | None:
        """The nonce of an authentic cookie issued within ``max_age``; ``None`` for anything else."""
        if len(value) != COOKIE_VALUE_LENGTH or _WELL_FORMED(value) is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(value)
        except (binascii.Error, ValueError):  # pragma: no cover - the pattern admits only valid text
            return None
        if len(raw) != _RAW_BYTES:
            return None
        body, given = raw[: NONCE_BYTES + _TIME_BYTES], raw[NONCE_BYTES + _TIME_BYTES :]
        valid = False
        for key in self._keys:  # every key is tried, so timing does not reveal which matched
            valid |= hmac.compare_digest(self._mac(key, body), given)
        issued = int.from_bytes(body[NONCE_BYTES:], "big")
        if not valid or not 0 <= now - issued <= self.max_age:
            return None
        return body[:NONCE_BYTES]


__all__ = ["COOKIE_VALUE_LENGTH", "NONCE_BYTES", "PreSessionCookie"]
