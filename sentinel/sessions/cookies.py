"""Reading one cookie's values from a request, shared by the session and CSRF pre-session cookies."""

from __future__ import annotations

import re

from sentinel.types import Scope


class CookieReader:
    """Finds every value the request's ``Cookie`` header(s) give one cookie name.

    Every value, not the first: two values of one name mean one was planted (a sibling domain or
    another path tossed it in), and callers refuse to trust either."""

    __slots__ = ("_find",)

    def __init__(self, name: str) -> None:
        self._find = re.compile(rf"(?:^|;)\s*{re.escape(name)}=\s*\"?([^;\"]*)").findall

    def values(self, scope: Scope) -> list[str]:
        found: list[str] = []
        for name, raw in scope["headers"]:
            if name == b"cookie":
                found.extend(self._find(raw.decode("latin-1")))
        return found


__all__ = ["CookieReader"]
