"""Health endpoint settings, from keywords or the environment.

| variable | meaning |
|---|---|
| ``SENTINEL_HEALTH_TOKEN`` (or ``_FILE``) | operator bearer token(s), newest first, 32+ bytes each |
| ``SENTINEL_HEALTH_PATH`` | the path served (default ``/healthz``) |
| ``SENTINEL_HEALTH_ALLOW_LOOPBACK`` | ``1``/``true`` to serve loopback peers without a token |
| ``SENTINEL_APP_VERSION`` | the application's version, shown as ``app.version`` |
| ``SENTINEL_COMMIT`` | the application's commit, shown as ``app.commit`` |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sentinel.errors import ConfigurationError
from sentinel.keys import Secret, coerce_keys, keys_from_env
from sentinel.shedding.env import env_bool

#: Version and commit strings are shown to operators: printable, short, no markup.
_LABEL = re.compile(r"[A-Za-z0-9._+:/@-]{1,80}").fullmatch


@dataclass(frozen=True, kw_only=True)
class HealthSettings:
    """What the health endpoint serves, where, and to whom."""

    path: str = "/healthz"
    tokens: tuple[Secret, ...] = ()
    allow_loopback: bool = False
    app_version: str | None = None
    commit: str | None = None
    #: Deadline for each check's ``health()`` (seconds); a slow store is reported, never waited on.
    check_timeout: float = 1.0

    def __post_init__(self) -> None:
        if self.tokens:  # any iterable of str/bytes/Secret; each checked for length
            object.__setattr__(self, "tokens", tuple(coerce_keys(self.tokens, what="health tokens")))
        problems: list[str] = []
        if not self.path.startswith("/") or any(c in self.path for c in "?#; "):
            problems.append(f"health path {self.path!r} must be a plain path starting with '/'")
        if not self.tokens and not self.allow_loopback:
            problems.append(
                "the health endpoint would answer nobody: set SENTINEL_HEALTH_TOKEN (or _FILE) "
                "or allow_loopback=True"
            )
        for name in ("app_version", "commit"):
            value = getattr(self, name)
            if value is not None and not _LABEL(value):
                problems.append(f"{name} must be 1-80 characters of A-Z a-z 0-9 . _ + : / @ -")
        if not 0 < self.check_timeout <= 10:
            problems.append("check_timeout must be in (0, 10] seconds")
        if problems:
            raise ConfigurationError(problems)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> HealthSettings:
        """Settings from ``SENTINEL_*`` variables; keyword ``overrides`` win."""
        env = os.environ if environ is None else environ
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigurationError([f"unknown health setting(s): {', '.join(unknown)}"])
        values: dict[str, Any] = {}
        tokens = keys_from_env("SENTINEL_HEALTH_TOKEN", env, required=False)
        if tokens:
            values["tokens"] = tuple(tokens)
        if env.get("SENTINEL_HEALTH_PATH"):
            values["path"] = env["SENTINEL_HEALTH_PATH"]
        values["allow_loopback"] = bool(env_bool(env, "SENTINEL_HEALTH_ALLOW_LOOPBACK"))
        for var, name in (("SENTINEL_APP_VERSION", "app_version"), ("SENTINEL_COMMIT", "commit")):
            if env.get(var):
                values[name] = env[var].strip()
        values.update(overrides)
        if values.get("tokens") is None:
            values["tokens"] = ()
        return cls(**values)


__all__ = ["HealthSettings"]
