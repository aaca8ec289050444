"""Per-response CSP nonces, minted only when the app asks for one.

``SecurityHeadersMiddleware`` puts a :class:`CSPNonce` in the scope. The first call to
:func:`csp_nonce` during the request mints 128 random bits; the Content-Security-Policy header then
allows scripts and styles carrying that nonce. A response that never asked gets the policy without a
nonce, so nothing inline is allowed and no randomness is spent.
"""

from __future__ import annotations

import secrets
from typing import Any

from sentinel.headers.errors import NonceUnavailable
from sentinel.types import Scope

#: Where the middleware keeps the request's nonce holder.
NONCE_SCOPE_KEY = "sentinel.csp_nonce"


class CSPNonce:
    """Holds one request's nonce; minted on first read."""

    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value: str | None = None

    @property
    def issued(self) -> bool:
        return self._value is not None

    @property
    def value(self) -> str:
        if self._value is None:
            self._value = secrets.token_urlsafe(16)  # base64url is valid CSP base64-value syntax
        return self._value

    def __repr__(self) -> str:
        return f"CSPNonce(issued={self.issued})"


def csp_nonce(request: Any) -> str:
    """This response's CSP nonce, for ``<script nonce="...">``. ``request`` is a Starlette request
    (anything with ``.scope``) or an ASGI scope."""
    scope: Scope = getattr(request, "scope", request)
    holder = scope.get(NONCE_SCOPE_KEY)
    if not isinstance(holder, CSPNonce):
        raise NonceUnavailable("no CSP nonce on this request: add sentinel SecurityHeadersMiddleware")
    return holder.value


__all__ = ["NONCE_SCOPE_KEY", "CSPNonce", "csp_nonce"]
