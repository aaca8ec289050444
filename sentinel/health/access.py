"""Who may read the health document: an operator with a bearer token, or (opt-in) a loopback peer.

Tokens come from ``SENTINEL_HEALTH_TOKEN`` or ``SENTINEL_HEALTH_TOKEN_FILE`` (comma-separated, newest
first, so a monitor's token can be rotated without downtime), at least 32 bytes each. A presented
token is hashed and compared with every configured token's hash by :func:`hmac.compare_digest`:
constant time, and no length leak.

Loopback trust is off by default. On, it trusts the TCP peer (``scope["client"]``, never a header),
and only when the request carries no forwarding header: a reverse proxy on the same host makes every
visitor look like 127.0.0.1, and most proxies announce themselves with ``X-Forwarded-For``,
``Forwarded`` or ``Via``. One that does not (nginx's bare ``proxy_pass``) must not be combined with
loopback trust; use a token there.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from enum import Enum

from sentinel.keys import Secret
from sentinel.types import Scope

#: Headers whose presence means a proxy relayed the request, so the TCP peer is not the client.
FORWARDING_HEADERS = frozenset(
    {
        b"forwarded",
        b"x-forwarded-for",
        b"x-forwarded-host",
        b"x-forwarded-proto",
        b"x-real-ip",
        b"x-client-ip",
        b"true-client-ip",
        b"cf-connecting-ip",
        b"via",
    }
)


class Verdict(Enum):
    """How a request stands with respect to operator access (values are labels, not secrets)."""

    TOKEN = "token"  # noqa: S105 - a verdict label
    LOOPBACK = "loopback"
    REFUSED = "refused"
    #: A token was presented and it matched none: worth a security event.
    BAD_TOKEN = "bad token"  # noqa: S105 - a verdict label


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(b"sentinel.health-token:" + value).digest()


class OperatorAccess:
    """Decides, per request, whether the operator view may be served."""

    def __init__(self, tokens: Iterable[Secret], *, allow_loopback: bool) -> None:
        self._digests = tuple(_digest(t.reveal()) for t in tokens)
        self.allow_loopback = allow_loopback

    @property
    def has_tokens(self) -> bool:
        return bool(self._digests)

    def _bearer(self, scope: Scope) -> bytes | None:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, credentials = bytes(value).strip().partition(b" ")
                if scheme.lower() == b"bearer" and credentials.strip():
                    return credentials.strip()
                return b""
        return None

    def _token_ok(self, presented: bytes) -> bool:
        given = _digest(presented)
        ok = False
        for digest in self._digests:  # every token is tried: timing does not say which matched
            ok |= hmac.compare_digest(digest, given)
        return ok

    def _loopback_ok(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not self.allow_loopback or not client or not is_loopback(str(client[0])):
            return False
        return not any(name in FORWARDING_HEADERS for name, _ in scope["headers"])

    def check(self, scope: Scope) -> Verdict:
        presented = self._bearer(scope)
        if presented is not None and self._digests:
            if presented and self._token_ok(presented):
                return Verdict.TOKEN
            return Verdict.BAD_TOKEN
        if self._loopback_ok(scope):
            return Verdict.LOOPBACK
        return Verdict.REFUSED


__all__ = ["FORWARDING_HEADERS", "OperatorAccess", "Verdict", "is_loopback"]
