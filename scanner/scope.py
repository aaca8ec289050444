"""The scope guard: which URLs a scan may request.

Same origin (scheme, host, port) as the base URL by default; extra origins only when listed. Every
request and every redirect hop passes through :meth:`ScopeGuard.check` before it is sent, so a link,
a ``Location`` header or an OpenAPI ``servers`` entry can never walk the scanner off its target.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from scanner.errors import OutOfScope

_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an absolute http(s) URL, or ``None`` for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``*.localhost``, 127.0.0.0/8 or ::1: where browsers treat http as secure."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ScopeGuard:
    """Decides whether a URL is in scope, and resolves relative references against a page."""

    def __init__(self, base_url: str, extra_origins: Iterable[str] = ()) -> None:
        base = origin_of(base_url)
        if base is None:
            raise OutOfScope(base_url)
        self.base_url = base_url
        self.origin = base
        self._origins = {base}
        for extra in extra_origins:
            parsed = origin_of(extra)
            if parsed is None:
                raise OutOfScope(extra)
            self._origins.add(parsed)

    @property
    def is_https(self) -> bool:
        return self.origin[0] == "https"

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.origin[1])

    def allows(self, url: str) -> bool:
        return origin_of(url) in self._origins

    def check(self, url: str) -> str:
        """``url`` itself when in scope; raises :class:`OutOfScope` otherwise."""
        if not self.allows(url):
            raise OutOfScope(url)
        return url

    def resolve(self, reference: str, page_url: str | None = None) -> str | None:
        """The absolute in-scope URL ``reference`` points to from ``page_url``, without fragment."""
        reference = reference.strip()
        if not reference or reference.startswith(("javascript:", "mailto:", "data:", "tel:", "#")):
            return None
        try:
            absolute = urljoin(page_url or self.base_url, reference)
        except ValueError:
            return None
        absolute = absolute.split("#", 1)[0]
        return absolute if self.allows(absolute) else None


__all__ = ["Origin", "ScopeGuard", "is_loopback_host", "origin_of"]
