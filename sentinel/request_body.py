"""Whether a request carries a body, from its headers alone: so no guard ever waits on one that cannot.

HTTP/1.x frames a request body with ``Transfer-Encoding`` or ``Content-Length`` and nothing else
(RFC 9112 section 6.3): with neither, or with ``Content-Length: 0``, there is no body, and nothing
may wait for one. Waiting anyway is how ``GET /`` with a stalled ``Content-Length: 10`` used to hold
a load-shedding slot for ever (issue #12).

HTTP/2 and HTTP/3 frame bodies themselves and need no ``Content-Length``, so for them the headers
cannot say "no body"; their servers end the stream at once when there is none, so reading costs
nothing there.
"""

from __future__ import annotations

from sentinel.types import Scope

_FRAMED_BY_HEADERS = frozenset({"1.0", "1.1"})


def declares_body(scope: Scope) -> bool:
    """True unless the request's headers show it has no body (HTTP/1.x, see the module docstring)."""
    # A server that does not say which HTTP it spoke (some adapters omit ``http_version``) gets the
    # safe answer: the XML guard must never let an unannounced HTTP/2 body through unread.
    if scope.get("http_version") not in _FRAMED_BY_HEADERS:
        return True
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return True
        # Anything but all zeros counts: the server refused malformed lengths before we got here,
        # and if it did not, assuming a body keeps every guard on the safe side.
        if name == b"content-length" and value.strip().strip(b"0") != b"":
            return True
    return False


__all__ = ["declares_body"]
