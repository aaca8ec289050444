"""Security-header policies: two named presets, ``BASIC`` and ``STRICT``, and the parts to build more.

``BASIC`` is safe to drop in front of almost any app: it forbids framing by other sites, MIME
sniffing, plugins and ``<base>`` hijacking, trims the Referer sent to other sites, isolates the
browsing context from cross-origin openers, and asks browsers to use HTTPS for a year. It does not
restrict where scripts come from. ``STRICT`` does: same-origin everything, scripts and styles only
from the site itself or carrying this response's nonce, no framing at all, no Referer, and HSTS
for two years including subdomains. Start with ``STRICT`` in ``csp_report_only=True`` mode to see
what it would block.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sentinel.errors import ConfigurationError
from sentinel.shedding.env import env_bool, env_choice

FrameOptions = Literal["DENY", "SAMEORIGIN"]

#: The headers this package manages (lower case), the only names ``override`` may list.
MANAGED = frozenset(
    {
        "strict-transport-security",
        "content-security-policy",
        "content-security-policy-report-only",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "cross-origin-resource-policy",
        "permissions-policy",
    }
)
_DIRECTIVE_NAME = re.compile(r"[a-z][a-z-]*").fullmatch
_REFERRER_POLICIES = frozenset(
    {
        "no-referrer",
        "no-referrer-when-downgrade",
        "origin",
        "origin-when-cross-origin",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }
)
_COOP = frozenset({"same-origin", "same-origin-allow-popups", "unsafe-none", "noopener-allow-popups"})
_CORP = frozenset({"same-origin", "same-site", "cross-origin"})
ONE_YEAR = 365 * 24 * 3600


@dataclass(frozen=True, kw_only=True)
class HSTS:
    """``Strict-Transport-Security``. ``preload`` is a commitment (hstspreload.org): opt in knowingly."""

    max_age: int = ONE_YEAR
    include_subdomains: bool = False
    preload: bool = False

    def problems(self) -> list[str]:
        found = []
        if not 0 <= self.max_age <= 2 * ONE_YEAR:
            found.append("HSTS max_age must be in [0, 63072000] seconds")
        if self.preload and not (self.include_subdomains and self.max_age >= ONE_YEAR):
            found.append("HSTS preload needs include_subdomains=True and max_age >= one year")
        return found

    def value(self) -> str:
        parts = [f"max-age={self.max_age}"]
        if self.include_subdomains:
            parts.append("includeSubDomains")
        if self.preload:
            parts.append("preload")
        return "; ".join(parts)


def parse_csp(policy: str) -> list[tuple[str, str]]:
    """``[(directive, sources), ...]`` in order; raises ConfigurationError on a malformed policy."""
    if any(ord(c) < 0x20 or ord(c) > 0x7E for c in policy):
        raise ConfigurationError(["CSP must be printable ASCII on one line"])
    directives: list[tuple[str, str]] = []
    for chunk in policy.split(";"):
        name, _, sources = chunk.strip().partition(" ")
        if not name:
            continue
        name = name.lower()
        if not _DIRECTIVE_NAME(name) or any(name == seen for seen, _ in directives):
            raise ConfigurationError([f"CSP directive {name!r} is malformed or repeated"])
        directives.append((name, " ".join(sources.split())))
    return directives


@dataclass(frozen=True, kw_only=True)
class HeaderPolicy:
    """Which security headers to add, and with what values. ``None`` leaves a header out."""

    hsts: HSTS | None = None
    #: Send HSTS only on ``https`` requests (browsers ignore it on http anyway). Behind a TLS proxy,
    #: run uvicorn with ``--proxy-headers`` so the scheme is right, or set this to False.
    hsts_https_only: bool = True
    csp: str | None = None
    csp_report_only: bool = False
    #: Directives that get ``'nonce-…'`` when the app used :func:`~sentinel.headers.csp_nonce`.
    nonce_directives: tuple[str, ...] = ("script-src", "style-src")
    frame_options: FrameOptions | None = None
    nosniff: bool = True
    referrer_policy: str | None = None
    cross_origin_opener_policy: str | None = None
    cross_origin_resource_policy: str | None = None
    permissions_policy: str | None = None
    #: Header names (lower case) set even when the app set its own. Empty: the app's always win.
    override: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "override", frozenset(h.lower() for h in self.override))
        problems = self.hsts.problems() if self.hsts else []
        if self.csp is not None:
            try:
                parse_csp(self.csp)
            except ConfigurationError as exc:
                problems += exc.problems
        if self.frame_options not in (None, "DENY", "SAMEORIGIN"):
            problems.append("frame_options must be 'DENY', 'SAMEORIGIN' or None")
        if self.referrer_policy is not None and self.referrer_policy not in _REFERRER_POLICIES:
            problems.append(f"referrer_policy {self.referrer_policy!r} is not a Referrer-Policy value")
        if self.cross_origin_opener_policy not in (None, *_COOP):
            problems.append("cross_origin_opener_policy must be one of " + ", ".join(sorted(_COOP)))
        if self.cross_origin_resource_policy not in (None, *_CORP):
            problems.append("cross_origin_resource_policy must be one of " + ", ".join(sorted(_CORP)))
        if self.permissions_policy is not None and any(c in self.permissions_policy for c in "\r\n"):
            problems.append("permissions_policy must be one line")
        unknown = sorted(self.override - MANAGED)
        if unknown:
            problems.append(f"override lists headers this middleware does not set: {unknown}")
        if problems:
            raise ConfigurationError(problems)


def policy_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> HeaderPolicy:
    """The preset named by ``SENTINEL_HEADERS`` (``basic``, the default, or ``strict``), changed by
    ``SENTINEL_CSP_REPORT_ONLY`` and ``SENTINEL_HSTS_HTTPS_ONLY``; keyword ``overrides`` win."""
    env = os.environ if environ is None else environ
    preset = PRESETS[env_choice(env, "SENTINEL_HEADERS", tuple(PRESETS)) or "basic"]
    read = {
        "csp_report_only": env_bool(env, "SENTINEL_CSP_REPORT_ONLY"),
        "hsts_https_only": env_bool(env, "SENTINEL_HSTS_HTTPS_ONLY"),
    }
    changes = {name: value for name, value in read.items() if value is not None}
    return dataclasses.replace(preset, **{**changes, **overrides})


#: Drop-in hardening that does not restrict scripts: safe for almost any app.
BASIC = HeaderPolicy(
    hsts=HSTS(max_age=ONE_YEAR),
    csp="object-src 'none'; base-uri 'self'; frame-ancestors 'self'",
    frame_options="SAMEORIGIN",
    referrer_policy="strict-origin-when-cross-origin",
    cross_origin_opener_policy="same-origin-allow-popups",
)

#: Same-origin everything; inline scripts and styles only with this response's nonce.
STRICT = HeaderPolicy(
    hsts=HSTS(max_age=2 * ONE_YEAR, include_subdomains=True),
    csp=(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    frame_options="DENY",
    referrer_policy="no-referrer",
    cross_origin_opener_policy="same-origin",
    cross_origin_resource_policy="same-origin",
    permissions_policy="camera=(), microphone=(), geolocation=(), payment=(), usb=()",
)

#: The presets by name, as ``SENTINEL_HEADERS`` spells them.
PRESETS: dict[str, HeaderPolicy] = {"basic": BASIC, "strict": STRICT}


__all__ = [
    "BASIC",
    "HSTS",
    "MANAGED",
    "ONE_YEAR",
    "PRESETS",
    "STRICT",
    "FrameOptions",
    "HeaderPolicy",
    "parse_csp",
    "policy_from_env",
]
