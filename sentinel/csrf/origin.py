"""Where did this request come from? ``Sec-Fetch-Site`` and ``Origin``, as browsers send them.

Page scripts cannot set either header, and a non-browser client carries no victim's cookies, so
for CSRF these headers are trustworthy. The rule, for a state-changing request:

1. ``Sec-Fetch-Site: same-origin`` or ``none`` (the user typed it): pass. The browser computed it
   against the URL the user actually saw, so it holds even when a proxy rewrote ``Host``.
2. ``Origin: null`` (sandboxed frames, ``data:`` pages, cross-origin redirects): refuse.
3. ``Origin`` equal to this site's own origin (scheme + ``Host``) or a trusted origin: pass.
4. ``Sec-Fetch-Site: same-site`` passes only if allowed; ``cross-site`` (or anything else) is
   refused.
5. Only an ``Origin`` that matched nothing: refuse.
6. Neither header: no evidence either way ("absent"); the token decides, or in origin-only mode
   the request is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sentinel.types import Scope

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(text: str) -> str | None:
    """``scheme://host[:port]`` lower-cased without a default port; ``None`` if not an origin."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or not host or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def own_origin(scope: Scope) -> str | None:
    """This request's own origin, from its scheme and ``Host`` header."""
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    for name, value in scope["headers"]:
        if name == b"host":
            return normalize_origin(f"{scheme}://{value.decode('latin-1')}")
    return None


class OriginCheck:
    """Applies the rule above. ``check`` returns ``None`` to pass, ``"absent"`` when the request
    carries no origin evidence, or the refusal reason."""

    def __init__(self, trusted: Iterable[str], *, allow_same_site: bool) -> None:
        self._trusted = frozenset(trusted)
        self._allow_same_site = allow_same_site

    def check(self, scope: Scope) -> str | None:
        origin = site = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1").strip()
            elif name == b"sec-fetch-site":
                site = value.decode("latin-1").strip().lower()
        if site in ("same-origin", "none"):
            return None  # computed by the browser itself: the common case costs no parsing
        if origin is not None:
            if origin.lower() == "null":
                return "origin-null"
            normal = normalize_origin(origin)
            if normal is not None and (normal in self._trusted or normal == own_origin(scope)):
                return None
        if site is not None:
            if site == "same-site" and self._allow_same_site:
                return None
            return site if site in ("cross-site", "same-site") else "bad-fetch-site"
        if origin is not None:
            return "cross-origin"
        return "absent"


__all__ = ["OriginCheck", "normalize_origin", "own_origin"]
