"""Scan settings: validated once, every problem reported together, safe defaults.

The defaults keep a scan polite enough for a shared staging server: 10 requests per second, 4 in
flight, a budget of 3,000 requests and a 10 s timeout on every request. ``LOOPBACK_LIMITS`` is for
scanning your *own* app on 127.0.0.1 (the demo and the test suite), where politeness costs only time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from scanner.errors import ScanConfigError
from sentinel.keys import Secret

#: ``form``: an HTML login form; ``json``: POST a JSON object; ``get``: a login link that carries the
#: credentials in its query string (``/login?username=..&password=..``).
LoginFormat = Literal["form", "json", "get"]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How hard the scanner may push the target, and how long it waits."""

    max_rps: float = 10.0
    concurrency: int = 4
    max_requests: int = 3000
    #: Seconds for one request, connect to last byte.
    timeout: float = 10.0
    #: Retries of a 429/503 answer (and of a refused connection), with backoff.
    max_retries: int = 2
    #: A Retry-After longer than this is not waited for: the answer is returned as it is.
    max_retry_wait: float = 10.0
    backoff_base: float = 0.5
    #: Response bodies are read up to this many bytes; the rest is dropped.
    max_body_bytes: int = 2 * 1024 * 1024

    def problems(self) -> list[str]:
        found = []
        if not 0 < self.max_rps <= 1000:
            found.append("--max-rps must be in (0, 1000]")
        if not 1 <= self.concurrency <= 64:
            found.append("--concurrency must be in [1, 64]")
        if self.max_requests < 1:
            found.append("--max-requests must be at least 1")
        if not 0 < self.timeout <= 300:
            found.append("--timeout must be in (0, 300] seconds")
        if not 0 <= self.max_retries <= 10:
            found.append("max_retries must be in [0, 10]")
        if not 0 <= self.max_retry_wait <= 120:
            found.append("max_retry_wait must be in [0, 120] seconds")
        return found


DEFAULT_LIMITS = Limits()
#: Only for apps you run yourself on loopback (demo, tests, benchmarks): fast, still bounded.
LOOPBACK_LIMITS = Limits(max_rps=250.0, concurrency=8, max_requests=3000, timeout=15.0, max_retry_wait=2.0)


@dataclass(frozen=True, kw_only=True)
class LoginConfig:
    """How to log in. ``password`` is a :class:`~sentinel.keys.Secret`; it never prints."""

    url: str
    format: LoginFormat = "form"
    username: str | None = None
    password: Secret | None = None
    username_field: str = "username"
    password_field: str = "password"  # noqa: S105 - a form field name, not a password
    logout_url: str | None = None
    #: A page that answers differently with and without a session (e.g. ``/me``); found if unset.
    auth_check_url: str | None = None

    @property
    def has_credentials(self) -> bool:
        return self.username is not None and self.password is not None


@dataclass(frozen=True, kw_only=True)
class SessionCheckSettings:
    """Sizes for the session checks."""

    #: Session IDs collected for the predictability and entropy checks (80 x 256-bit IDs give two
    #: FIPS 140-2 blocks).
    samples: int = 80
    #: Failed logins sent by the brute-force check before it concludes nothing throttles them.
    brute_force_attempts: int = 30
    #: Entropy (bits) below which an ID is reported: OWASP's Session Management Cheat Sheet floor.
    min_entropy_bits: float = 64.0


@dataclass(frozen=True, kw_only=True)
class ScanConfig:
    """Everything one scan needs. Build it with keywords; construction validates it."""

    base_url: str
    login: LoginConfig | None = None
    limits: Limits = DEFAULT_LIMITS
    session: SessionCheckSettings = field(default_factory=SessionCheckSettings)
    crawl_depth: int = 3
    max_pages: int = 150
    openapi: str | None = None
    endpoints_file: Path | None = None
    checks: frozenset[str] = frozenset()
    exclude_checks: frozenset[str] = frozenset()
    #: Extra origins (``scheme://host:port``) the scan may request, beyond the base URL's own.
    extra_origins: tuple[str, ...] = ()
    #: Active-check cost: 1 fast (the CI default), 2 adds contexts and time-based probes, 3 thorough.
    level: int = 1
    #: Request headers the active checks also inject into, as ``(name, benign value)`` pairs.
    inject_headers: tuple[tuple[str, str], ...] = ()
    #: Headers sent on every request (``--header``), e.g. a token the user already has. Their values
    #: are redacted from every report.
    headers: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        problems = self.limits.problems()
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"BASE_URL {self.base_url!r} must be an absolute http:// or https:// URL")
        if not 0 <= self.crawl_depth <= 10:
            problems.append("--depth must be in [0, 10]")
        if self.max_pages < 1:
            problems.append("--max-pages must be at least 1")
        if self.session.samples < 8:
            problems.append("--samples must be at least 8")
        if not 3 <= self.session.brute_force_attempts <= 500:
            problems.append("--brute-force-attempts must be in [3, 500]")
        if self.level not in (1, 2, 3):
            problems.append("--level must be 1, 2 or 3")
        problems.extend(_header_problems(self.inject_headers))
        problems.extend(_header_problems(self.headers, option="--header"))
        if self.login is not None:
            problems.extend(_login_problems(self.login))
        if problems:
            raise ScanConfigError(problems)


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: Headers the HTTP layer owns (framing, routing, the scanner's own cookie jar): never injected.
_RESERVED_HEADERS = frozenset(
    {"host", "content-length", "content-type", "transfer-encoding", "connection", "cookie"}
)


def _header_problems(headers: tuple[tuple[str, str], ...], *, option: str = "--inject-header") -> list[str]:
    problems = []
    for name, value in headers:
        if not _HEADER_NAME.fullmatch(name):
            problems.append(f"{option} {name!r} is not a valid header name")
        elif name.lower() in _RESERVED_HEADERS:
            why = (
                "that header cannot be injected into"
                if option == "--inject-header"
                else "the scanner sets it"
            )
            problems.append(f"{option} {name}: {why}")
        if "\r" in value or "\n" in value:
            problems.append(f"{option} {name}: the value must be one line")
    return problems


def _login_problems(login: LoginConfig) -> list[str]:
    problems = []
    if login.format not in ("form", "json", "get"):
        problems.append("--login-format must be form, json or get")
    if (login.username is None) != (login.password is None):
        problems.append("give both --username and --password (or --password-env), or neither")
    if not login.username_field or not login.password_field:
        problems.append("--username-field and --password-field must not be empty")
    return problems


__all__ = [
    "DEFAULT_LIMITS",
    "LOOPBACK_LIMITS",
    "Limits",
    "LoginConfig",
    "LoginFormat",
    "ScanConfig",
    "SessionCheckSettings",
]
