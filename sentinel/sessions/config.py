"""Session settings: safe defaults, validated once, every problem reported together.

Unsafe choices (no Secure, no HttpOnly, SameSite=None, a persistent cookie) are allowed only when
asked for explicitly, and each one warns loudly at start-up.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Literal

from sentinel.errors import ConfigurationError, SentinelUnsafeWarning

logger = logging.getLogger("sentinel.sessions")

UrlPolicy = Literal["reject", "strip"]
SameSite = Literal["strict", "lax", "none"]

#: Parameter names that carry session IDs in URLs across common stacks (matched case-insensitively).
COMMON_SESSION_PARAMS = frozenset(
    {
        "sid",
        "session",
        "session_id",
        "sessionid",
        "jsessionid",
        "phpsessid",
        "aspsessionid",
        "asp.net_sessionid",
        "cfid",
        "cftoken",
    }
)


@dataclass(frozen=True, kw_only=True)
class SessionSettings:
    """How sessions behave. Defaults follow OWASP's session management cheat sheet."""

    cookie_name: str = "__Host-sid"
    secure: bool = True
    httponly: bool = True
    samesite: SameSite = "lax"
    path: str = "/"
    domain: str | None = None
    #: ``None`` makes a browser-session cookie (gone when the browser closes).
    max_age: int | None = None
    idle_timeout: float = 30 * 60
    absolute_timeout: float = 12 * 60 * 60
    #: A read-only request rewrites ``last_seen`` at most this often, so reads stay cheap.
    refresh_after: float = 60.0
    #: How long a rotated-away ID stays a tombstone (neither adopted nor cleared).
    rotation_grace: float = 10.0
    url_policy: UrlPolicy = "reject"
    extra_url_params: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ConfigurationError(problems)
        for warning in self._unsafe():
            logger.warning("UNSAFE session setting: %s", warning)
            warnings.warn(warning, SentinelUnsafeWarning, stacklevel=4)

    def _problems(self) -> list[str]:
        problems: list[str] = []
        name = self.cookie_name
        if not name or any(c in name for c in ' =;,"\t\r\n'):
            problems.append(f"cookie_name {name!r} is not a valid cookie name")
        if name.startswith("__Host-"):
            if not self.secure:
                problems.append("a __Host- cookie must be Secure: keep secure=True or rename it")
            if self.domain is not None or self.path != "/":
                problems.append("a __Host- cookie must have path='/' and no domain")
        if name.startswith("__Secure-") and not self.secure:
            problems.append("a __Secure- cookie must be Secure")
        if self.samesite not in ("strict", "lax", "none"):
            problems.append("samesite must be 'strict', 'lax' or 'none'")
        if self.samesite == "none" and not self.secure:
            problems.append("samesite='none' requires secure=True (browsers drop it otherwise)")
        if self.url_policy not in ("reject", "strip"):
            problems.append("url_policy must be 'reject' or 'strip'")
        if not 0 < self.idle_timeout <= self.absolute_timeout:
            problems.append("need 0 < idle_timeout <= absolute_timeout")
        if not 0 < self.refresh_after < self.idle_timeout:
            problems.append("need 0 < refresh_after < idle_timeout")
        if not 0 < self.rotation_grace <= 60:
            problems.append("rotation_grace must be in (0, 60] seconds")
        if self.max_age is not None and self.max_age <= 0:
            problems.append("max_age must be positive, or None for a browser-session cookie")
        return problems

    def _unsafe(self) -> list[str]:
        found = []
        if not self.secure:
            found.append("secure=False: the session cookie will travel over plain HTTP")
        if not self.httponly:
            found.append("httponly=False: any XSS can read the session ID")
        if self.samesite == "none":
            found.append("samesite='none': the cookie rides on every cross-site request")
        if self.domain is not None:
            found.append(f"domain={self.domain!r}: every subdomain receives the session cookie")
        if self.max_age is not None:
            found.append("max_age set: the session cookie outlives the browser session")
        return found

    @property
    def url_param_names(self) -> frozenset[str]:
        """Lower-cased names refused in URLs: the common ones, ours, and any extras."""
        own = self.cookie_name.lower()
        bare = own.removeprefix("__host-").removeprefix("__secure-")
        extra = {n.lower() for n in self.extra_url_params}
        return COMMON_SESSION_PARAMS | {own, bare} | extra

    def cookie_attributes(self) -> str:
        parts = [f"Path={self.path}"]
        if self.domain is not None:
            parts.append(f"Domain={self.domain}")
        if self.httponly:
            parts.append("HttpOnly")
        if self.secure:
            parts.append("Secure")
        parts.append(f"SameSite={self.samesite.capitalize()}")
        return "; ".join(parts)


__all__ = [
    "COMMON_SESSION_PARAMS",
    "SameSite",
    "SentinelUnsafeWarning",
    "SessionSettings",
    "UrlPolicy",
]
