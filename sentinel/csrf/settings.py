"""CSRF settings: which checks run, where the token travels, and which origins are trusted.

Two independent defences, both on by default (``mode="both"``):

- **origin**: a state-changing request must come from this site. Browsers say where a request
  comes from in ``Sec-Fetch-Site`` and ``Origin``, and page scripts cannot forge either;
- **token**: the request must carry a token bound to the session (see :mod:`sentinel.csrf.tokens`),
  which another site cannot read.

``mode="origin"`` alone needs no token plumbing, but then a request with neither header (a very old
browser, or a non-browser client) is refused. ``mode="token"`` alone suits apps behind proxies
that rewrite ``Host`` and cannot list their public origin.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sentinel.csrf.origin import normalize_origin
from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.shedding.env import env_bool, env_choice, env_int, env_list
from sentinel.shedding.paths import PathMatcher

logger = logging.getLogger("sentinel.csrf")

CSRFMode = Literal["both", "token", "origin"]

#: Methods that never need a token. RFC 9110 calls them safe: they must not change state, a rule
#: the middleware cannot enforce for the app (a GET handler that writes is a CSRF hole).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: The largest form body buffered to look for the token field; send the header beyond it.
DEFAULT_MAX_BODY = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class CSRFSettings:
    mode: CSRFMode = "both"
    header_name: str = "X-CSRF-Token"
    field_name: str = "csrf_token"
    #: Other origins allowed to post here (``https://admin.example.com``), exactly as browsers send.
    trusted_origins: frozenset[str] = field(default_factory=frozenset)
    #: Accept ``Sec-Fetch-Site: same-site`` (a sibling subdomain). Off: a subdomain you do not fully
    #: control could otherwise post here.
    allow_same_site: bool = False
    #: Paths never checked (exact, or prefixes ending in ``*``): webhooks that authenticate by
    #: signature, say. The CSRF context (``csrf_token()``) still works on them.
    exempt_paths: tuple[str, ...] = ()
    #: Logout routes (exact, or prefixes ending in ``*``): a request the browser proves same-origin
    #: (``Origin`` equal to this site or a trusted origin, or ``Sec-Fetch-Site: same-origin``) needs
    #: no token there, so a page opened before a login elsewhere can still log out. Ending a session
    #: cannot harm the user; cross-site logouts are still refused.
    logout_paths: tuple[str, ...] = ()
    #: Login routes: the same rule, so a login form reached with Back (its token retired by the
    #: first login) logs in again. Login CSRF is a *cross-site* attack, which the origin check
    #: still refuses; without origin evidence the token is required as everywhere else.
    login_paths: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY
    #: The signed cookie anonymous visitors' tokens are bound to (``docs/csrf.md``). ``__Host-``
    #: means Secure, host-only and ``Path=/``: no sibling subdomain can plant or overwrite it.
    presession_cookie: str = "__Host-sentinel-pre"
    #: Seconds a pre-session cookie (and every token bound to it) stays valid, checked server-side.
    presession_max_age: int = 12 * 60 * 60
    #: Off only for local development over plain HTTP on a host other than ``localhost`` (warns).
    presession_secure: bool = True

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.mode not in ("both", "token", "origin"):
            problems.append("mode must be 'both', 'token' or 'origin'")
        name = self.header_name
        if not name or not all(c.isalnum() or c == "-" for c in name):
            problems.append(f"header_name {name!r} is not a valid header name")
        if not self.field_name or any(c in self.field_name for c in '&="\r\n'):
            problems.append(f"field_name {self.field_name!r} is not a valid form field name")
        origins = {self.trusted_origins} if isinstance(self.trusted_origins, str) else self.trusted_origins
        normal = {normalize_origin(o) for o in origins}
        if None in normal:
            problems.append("trusted_origins must be origins like 'https://example.com' (no path)")
        object.__setattr__(self, "trusted_origins", frozenset(o for o in normal if o is not None))
        for name in ("exempt_paths", "logout_paths", "login_paths"):
            value = getattr(self, name)
            paths = (value,) if isinstance(value, str) else tuple(value)
            object.__setattr__(self, name, paths)
            try:
                PathMatcher(paths, what=name)
            except ConfigurationError as exc:
                problems += exc.problems
        if not 1024 <= self.max_body_bytes <= 64 * 1024 * 1024:
            problems.append("max_body_bytes must be in [1 KiB, 64 MiB]")
        problems += self._presession_problems()
        if problems:
            raise ConfigurationError(problems)
        unsafe = []
        if self.allow_same_site:
            unsafe.append("allow_same_site=True: every subdomain of this site may post here")
        if not self.presession_secure:
            unsafe.append("presession_secure=False: the pre-session cookie travels over plain HTTP")
        for message in unsafe:
            logger.warning("UNSAFE CSRF setting: %s", message)
            warnings.warn(message, SentinelUnsafeWarning, stacklevel=3)

    def _presession_problems(self) -> list[str]:
        problems: list[str] = []
        name = self.presession_cookie
        if not name or any(c in name for c in ' =;,"\t\r\n'):
            problems.append(f"presession_cookie {name!r} is not a valid cookie name")
        if name.startswith(("__Host-", "__Secure-")) and not self.presession_secure:
            problems.append("a __Host-/__Secure- presession_cookie must be Secure (presession_secure=True)")
        if not 60 <= self.presession_max_age <= 7 * 24 * 60 * 60:
            problems.append("presession_max_age must be in [60 s, 7 days]")
        return problems

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> CSRFSettings:
        """Settings from ``SENTINEL_CSRF_MODE``, ``SENTINEL_CSRF_TRUSTED_ORIGINS`` (comma-separated),
        ``SENTINEL_CSRF_EXEMPT_PATHS``, ``SENTINEL_CSRF_LOGOUT_PATHS``, ``SENTINEL_CSRF_LOGIN_PATHS``
        (comma-separated), ``SENTINEL_CSRF_ALLOW_SAME_SITE`` and ``SENTINEL_CSRF_MAX_BODY``; keyword
        ``overrides`` win."""
        env = os.environ if environ is None else environ
        origins = env_list(env, "SENTINEL_CSRF_TRUSTED_ORIGINS")
        paths = {
            name: env_list(env, f"SENTINEL_CSRF_{name.upper()}")
            for name in ("exempt_paths", "logout_paths", "login_paths")
        }
        read: dict[str, Any] = {
            "mode": env_choice(env, "SENTINEL_CSRF_MODE", ("both", "token", "origin")),
            "trusted_origins": None if origins is None else frozenset(origins),
            **{name: None if value is None else tuple(value) for name, value in paths.items()},
            "allow_same_site": env_bool(env, "SENTINEL_CSRF_ALLOW_SAME_SITE"),
            "max_body_bytes": env_int(env, "SENTINEL_CSRF_MAX_BODY"),
        }
        values = {name: value for name, value in read.items() if value is not None}
        return cls(**{**values, **overrides})

    @property
    def checks_origin(self) -> bool:
        return self.mode in ("both", "origin")

    @property
    def checks_token(self) -> bool:
        return self.mode in ("both", "token")


__all__ = ["DEFAULT_MAX_BODY", "SAFE_METHODS", "CSRFMode", "CSRFSettings"]
