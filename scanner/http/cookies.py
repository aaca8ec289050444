"""Set-Cookie parsing and a per-probe cookie jar that no payload can break.

Both are total: any header, however malformed (a payload echoed into a cookie value, stray quotes,
semicolons, non-ASCII), parses into *something* and never raises. wapiti 3.2.3 crashed when its own
``?sid=`` payload came back in a Set-Cookie and broke its shared jar; here each probe has its own jar,
and a cookie is only ever a name, a value and a few attributes.

Scope is one origin, so domain matching reduces to "this host"; paths match per RFC 6265 §5.1.4.
Secure cookies are sent over https, and also over plain http to loopback hosts, as browsers do for
``localhost`` (the scan then notes that it did).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from dataclasses import dataclass, replace


@dataclass(frozen=True, kw_only=True)
class SetCookie:
    """One parsed Set-Cookie header, attributes as the server sent them (names lower-cased)."""

    name: str
    value: str
    attributes: tuple[tuple[str, str], ...] = ()
    raw: str = ""

    def attribute(self, name: str) -> str | None:
        for key, value in self.attributes:
            if key == name:
                return value
        return None

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.attributes)

    @property
    def secure(self) -> bool:
        return self.has("secure")

    @property
    def httponly(self) -> bool:
        return self.has("httponly")

    @property
    def path(self) -> str:
        path = self.attribute("path")
        return path if path and path.startswith("/") else "/"

    def expires_at(self, now: float) -> float | None:
        """Unix time the cookie expires, ``None`` for a browser-session cookie (Max-Age wins)."""
        max_age = self.attribute("max-age")
        if max_age is not None:
            try:
                return now + int(max_age.strip())
            except ValueError:
                pass
        expires = self.attribute("expires")
        if expires:
            try:
                parsed = email.utils.parsedate_to_datetime(expires)
            except (TypeError, ValueError, IndexError):
                return None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            return parsed.timestamp()
        return None

    def is_deletion(self, now: float) -> bool:
        expires = self.expires_at(now)
        return self.value == "" or (expires is not None and expires <= now)


def parse_set_cookie(header: str) -> SetCookie | None:
    """Parse one Set-Cookie header; ``None`` only when it has no ``name=`` pair at all."""
    pair, *rest = header.split(";")
    name, sep, value = pair.partition("=")
    name = name.strip()
    if not sep or not name:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    attributes = []
    for item in rest:
        key, _, attr_value = item.partition("=")
        key = key.strip().lower()
        if key:
            attributes.append((key, attr_value.strip()))
    return SetCookie(name=name, value=value, attributes=tuple(attributes), raw=header)


def path_matches(request_path: str, cookie_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


@dataclass(kw_only=True)
class _Stored:
    value: str
    path: str
    secure: bool
    expires: float | None


class CookieJar:
    """One probe's cookies for one origin. Keyed by (name, path) as browsers do."""

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str], _Stored] = {}

    def store(self, cookie: SetCookie, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        key = (cookie.name, cookie.path)
        if cookie.is_deletion(now):
            self._cookies.pop(key, None)
            return
        self._cookies[key] = _Stored(
            value=cookie.value, path=cookie.path, secure=cookie.secure, expires=cookie.expires_at(now)
        )

    def set(self, name: str, value: str, path: str = "/") -> None:
        """Plant a cookie by hand (an attacker-chosen ID, a replayed old one)."""
        self._cookies[(name, path)] = _Stored(value=value, path=path, secure=False, expires=None)

    def get(self, name: str) -> str | None:
        best = [(len(k[1]), c.value) for k, c in self._cookies.items() if k[0] == name]
        return max(best)[1] if best else None

    def delete(self, name: str) -> None:
        for key in [k for k in self._cookies if k[0] == name]:
            del self._cookies[key]

    def clear(self) -> None:
        self._cookies.clear()

    def copy(self) -> CookieJar:
        """An independent jar holding the same cookies (a session snapshot to start requests from)."""
        twin = CookieJar()
        twin._cookies = {key: replace(stored) for key, stored in self._cookies.items()}
        return twin

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._cookies})

    def header_for(self, path: str, *, https: bool, loopback: bool) -> tuple[str | None, bool]:
        """The Cookie header for a request to ``path``, and whether a Secure cookie rode on http.

        Secure cookies go over https, and over plain http only to a loopback host (as browsers do)."""
        now = time.time()
        chosen: list[tuple[int, str, str]] = []
        secure_on_http = False
        for (name, cookie_path), cookie in list(self._cookies.items()):
            if cookie.expires is not None and cookie.expires <= now:
                del self._cookies[(name, cookie_path)]
                continue
            if not path_matches(path or "/", cookie_path):
                continue
            if cookie.secure and not https:
                if not loopback:
                    continue
                secure_on_http = True
            chosen.append((-len(cookie_path), name, cookie.value))
        chosen.sort()
        header = "; ".join(f"{name}={value}" for _, name, value in chosen)
        return (header or None), secure_on_http


__all__ = ["CookieJar", "SetCookie", "parse_set_cookie", "path_matches"]
