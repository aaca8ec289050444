"""One request's CSRF state: which binding its tokens use, and what the response does with the cookie.

The rule, in one place:

- a request whose session is **authenticated** issues and verifies tokens bound to the session's
  seed and the user's identity (:mod:`sentinel.csrf.tokens`); a pre-session token never verifies;
- an **anonymous** request issues tokens bound to its pre-session cookie
  (:mod:`sentinel.csrf.presession`), minting a new cookie when it has no valid one, and stores
  nothing server-side. It also still verifies tokens bound to an anonymous session's own seed;
- the pre-session is **retired** when the session is authenticated at the end of the request (a
  login: the binding moved into the session) or was authenticated at its start (a logout): the
  cookie is expired, and a request that began authenticated never reuses the cookie it carried.

The middleware keeps one :class:`RequestCSRF` per request in ``scope``; nothing lives on the
middleware itself.
"""

from __future__ import annotations

import time

from sentinel.csrf.presession import PreSessionCookie
from sentinel.csrf.settings import CSRFSettings
from sentinel.csrf.tokens import PRESESSION_IDENTITY, TokenSigner
from sentinel.sessions import Session
from sentinel.sessions.cookies import CookieReader
from sentinel.types import Scope

_CLEAR_SUFFIX = "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"


class PreSessionPolicy:
    """The cookie codec plus how the cookie is named, found and written (built once per middleware)."""

    def __init__(self, codec: PreSessionCookie, settings: CSRFSettings) -> None:
        self.codec = codec
        name = settings.presession_cookie
        self.carried = CookieReader(name).values
        secure = "; Secure" if settings.presession_secure else ""
        attributes = f"Path=/; HttpOnly{secure}; SameSite=Lax"
        self._set = f"{name}={{}}; {attributes}"
        self.clear = f"{name}=; {attributes}{_CLEAR_SUFFIX}"

    def set_cookie(self, value: str) -> str:
        return self._set.format(value)


class RequestCSRF:
    """What :func:`sentinel.csrf.csrf_token` and the middleware share for one request."""

    __slots__ = (
        "_began_authenticated",
        "_carried",
        "_minted",
        "_now",
        "_policy",
        "_sent_cookie",
        "issued_presession",
        "signer",
    )

    def __init__(self, signer: TokenSigner, policy: PreSessionPolicy, scope: Scope) -> None:
        self.signer = signer
        self._policy = policy
        self._now = time.time()
        values = policy.carried(scope)
        self._sent_cookie = bool(values)
        # Two values of our name: one was planted; trust neither (a fresh one replaces them).
        self._carried = policy.codec.read(values[0], self._now) if len(values) == 1 else None
        session = scope.get("session")
        self._began_authenticated = isinstance(session, Session) and session.user_id is not None
        self._minted: tuple[bytes, str] | None = None
        #: A token bound to the pre-session went into this response (so it depends on the cookie).
        self.issued_presession = False

    def issue(self, session: Session) -> str:
        if session.user_id is not None:
            return self.signer.issue(session)
        self.issued_presession = True
        return self.signer.issue_bound(self._nonce(), PRESESSION_IDENTITY)

    def verify(self, token: str, session: Session) -> bool:
        if self.signer.verify(token, session):
            return True
        return (
            session.user_id is None
            and self._carried is not None
            and self.signer.verify_bound(token, self._carried, PRESESSION_IDENTITY)
        )

    def _nonce(self) -> bytes:
        if self._minted is not None:
            return self._minted[0]
        if self._carried is not None and not self._began_authenticated:
            return self._carried
        self._minted = self._policy.codec.mint(self._now)
        return self._minted[0]

    def cookie_header(self, session: Session | None) -> str | None:
        """The pre-session Set-Cookie for the response: a new cookie, an expiry, or nothing."""
        authenticated = session is not None and session.user_id is not None
        if authenticated or (self._began_authenticated and self._minted is None):
            return self._policy.clear if (self._sent_cookie or self._minted is not None) else None
        if self._minted is not None:
            return self._policy.set_cookie(self._minted[1])
        return None


__all__ = ["PreSessionPolicy", "RequestCSRF"]
