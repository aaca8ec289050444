"""Exempt-path matching shared by the guards (shedding, CSRF).

The syntax is the one :class:`~sentinel.ratelimit.RateLimitMiddleware` uses: an entry is an exact
path, or a prefix when it ends in ``*`` (``"/webhooks/*"``). A path that carries dot segments or an
empty segment (``/webhooks/../transfer``, ``//x``) never matches: servers hand ASGI the path as sent,
so matching it literally could let a crafted path borrow an exemption meant for another route.
Exemptions switch a guard *off*, so an ambiguous path gets the guard.
"""

from __future__ import annotations

from collections.abc import Iterable

from sentinel.errors import ConfigurationError


def _ambiguous(path: str) -> bool:
    return "//" in path or "/./" in path or "/../" in path or path.endswith(("/.", "/.."))


class PathMatcher:
    """Answers "is this path exempt?" in one set lookup plus one ``startswith``."""

    __slots__ = ("_exact", "_prefixes")

    def __init__(self, paths: Iterable[str], *, what: str = "exempt_paths") -> None:
        entries = [paths] if isinstance(paths, str) else list(paths)
        bad = [p for p in entries if not isinstance(p, str) or not p.startswith("/") or _ambiguous(p)]
        if bad:
            raise ConfigurationError(
                [f"{what} entries must be plain paths starting with '/' (prefixes end in '*'): {bad!r}"]
            )
        self._exact = frozenset(p for p in entries if not p.endswith("*"))
        self._prefixes = tuple(p[:-1] for p in entries if p.endswith("*"))

    def __bool__(self) -> bool:
        return bool(self._exact or self._prefixes)

    def __call__(self, path: str) -> bool:
        if path in self._exact:
            return True
        return bool(self._prefixes) and path.startswith(self._prefixes) and not _ambiguous(path)

    def __repr__(self) -> str:
        entries = sorted(self._exact) + [p + "*" for p in self._prefixes]
        return f"PathMatcher({entries!r})"


__all__ = ["PathMatcher"]
