"""Synchronizer tokens bound to the session, the user and the moment they logged in.

(Anonymous visitors' tokens bind to a signed pre-session cookie instead, so a public page costs no
stored session: :mod:`sentinel.csrf.presession`. What follows is the session binding, used as soon as
someone is logged in.)

Each session keeps a random 256-bit seed in its server-side data (``_sentinel_csrf``), created the
first time a token is asked for. A token is ``r || HMAC(key, seed, identity, r)`` in base64url,
where ``r`` is 128 fresh random bits per token and ``identity`` is the session's user ID and
authentication time. So:

- another site cannot make one: it knows neither the seed (server-side) nor the key;
- every rendering differs (``r``), so compression side channels such as BREACH cannot recover a
  fixed secret from pages;
- a token from before :func:`sentinel.login` fails after it: login records a new user and
  authentication time, changing the identity (and logging in again, even as the same user, changes
  the time). A token planted in a fixated session, or seen before login, is worthless afterwards;
- :func:`sentinel.logout` empties the session, seed included, so every older token dies with it.

The seed does not bind the session ID itself on purpose: a brand-new session gets its ID only
after the handler ran, when the token is already in the page. Login rotates the ID *and* changes
the identity, which is what matters.

Keys: the newest signs, all verify (rotation), each derived for this purpose so a session cookie
signature and a CSRF token never share a key.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Sequence

from sentinel.keys import Secret
from sentinel.sessions import Session

#: Where the seed lives in the session data.
SEED_KEY = "_sentinel_csrf"
_SEED_BYTES = 32
_NONCE_BYTES = 16
_MAC_BYTES = 32
TOKEN_LENGTH = 64  # base64url of 48 bytes, unpadded
_LABEL = b"sentinel.csrf.v1"
#: The identity a pre-session token is bound to. Session identities are ``repr`` of a tuple and
#: always start with ``(``, so the two kinds of token can never verify as each other.
PRESESSION_IDENTITY = b"\x00presession"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def identity(session: Session) -> bytes:
    """Who the session belongs to and since when: changes at every login and at logout.

    ``repr`` of a (str | None, float | None) pair is unambiguous (quotes are escaped) and stable:
    floats repr as their shortest round-trip form, which is how the session record stores them."""
    return repr((session.user_id, session.auth_time)).encode()


def session_seed(session: Session, *, create: bool) -> bytes | None:
    """The session's seed; minted (which saves the session) only when ``create`` is set.

    Issuing reads through the mapping, which marks the session accessed (the page now depends on
    the cookie: ``Vary: Cookie``). Verifying reads the raw data, so a checked POST does not make
    the session middleware re-encode an unchanged session."""
    stored = session.get(SEED_KEY) if create else session.data().get(SEED_KEY)
    seed = _unb64(stored) if isinstance(stored, str) else None
    if seed is not None and len(seed) == _SEED_BYTES:
        return seed
    if not create:
        return None
    seed = secrets.token_bytes(_SEED_BYTES)
    session[SEED_KEY] = _b64(seed)
    return seed


class TokenSigner:
    """Issues and verifies tokens for one key list (newest first)."""

    def __init__(self, keys: Sequence[Secret]) -> None:
        self._keys = [hmac.digest(k.reveal(), _LABEL + b".key", "sha256") for k in keys]

    @staticmethod
    def _mac(key: bytes, seed: bytes, ident: bytes, nonce: bytes) -> bytes:
        # Fixed-size fields first and the one variable field last: the encoding is unambiguous.
        return hmac.digest(key, _LABEL + seed + nonce + ident, "sha256")

    def issue(self, session: Session) -> str:
        seed = session_seed(session, create=True)
        if seed is None:  # pragma: no cover - create=True always yields a seed
            raise RuntimeError("CSRF seed could not be created")
        return self.issue_bound(seed, identity(session))

    def verify(self, token: str, session: Session) -> bool:
        """Constant-time check of ``token`` against the session, under every key."""
        seed = session_seed(session, create=False)
        return seed is not None and self.verify_bound(token, seed, identity(session))

    def issue_bound(self, seed: bytes, ident: bytes) -> str:
        """A token for an explicit ``(seed, identity)`` binding (a pre-session, say)."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return _b64(nonce + self._mac(self._keys[0], seed, ident, nonce))

    def verify_bound(self, token: str, seed: bytes, ident: bytes) -> bool:
        if len(token) != TOKEN_LENGTH:
            return False
        raw = _unb64(token)
        if raw is None or len(raw) != _NONCE_BYTES + _MAC_BYTES:
            return False
        nonce, given = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        valid = False
        for key in self._keys:
            valid |= hmac.compare_digest(self._mac(key, seed, ident, nonce), given)
        return valid


__all__ = ["PRESESSION_IDENTITY", "SEED_KEY", "TOKEN_LENGTH", "TokenSigner", "identity", "session_seed"]
