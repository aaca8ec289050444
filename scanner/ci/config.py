"""``sentinel gate`` settings: ``[tool.sentinel]`` in pyproject.toml, overridden by flags.

Read with :mod:`tomllib`, validated once, every problem reported together. Unknown keys are errors
(a typo such as ``fail_on`` must not silently keep the default), and so is a ``password`` key: the
file is in version control, so the login password comes from the environment variable named by
``password-env``. Paths in the file are relative to the file's directory (the project root).

.. code-block:: toml

    [tool.sentinel]
    paths = ["src"]                  # static half: bandit + Sentinel's plugins
    app = "myapp.main:app"           # dynamic half: serve this ASGI app on loopback (or url = "...")
    fail-on = "high"
    baseline = ".sentinel-baseline.json"

    [tool.sentinel.login]
    url = "/login"
    username = "ci-user"
    password-env = "SENTINEL_GATE_PASSWORD"
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner.config import DEFAULT_LIMITS, LOOPBACK_LIMITS, LoginConfig, ScanConfig
from scanner.errors import ScanConfigError
from scanner.gate import DEFAULT_FAIL_ON, FailOn, parse_fail_on
from scanner.static.bandit_run import DEFAULT_BANDIT_TIMEOUT, StaticSettings
from scanner.static.findings import StaticConfidence
from sentinel.keys import Secret

#: Seconds the app started by ``app`` may take to answer its first request.
DEFAULT_STARTUP_TIMEOUT = 30.0
_STR, _STRS, _NUM, _TABLE, _BOOL = "a string", "a list of strings", "a number", "a table", "true or false"
KEYS: dict[str, str] = {
    "paths": _STRS,
    "exclude": _STRS,
    "bandit-config": _STR,
    "bandit-timeout": _NUM,
    "url": _STR,
    "app": _STR,
    "app-dir": _STR,
    "app-env": _TABLE,
    "startup-timeout": _NUM,
    "login": _TABLE,
    "checks": _STRS,
    "exclude-checks": _STRS,
    "max-rps": _NUM,
    "max-requests": _NUM,
    "fail-on": _STR,
    "static-confidence": _STR,
    "baseline": _STR,
    "new-only": _BOOL,
    "sarif": _STR,
    "junit": _STR,
}
LOGIN_KEYS: dict[str, str] = {
    "url": _STR,
    "format": _STR,
    "username": _STR,
    "password-env": _STR,
    "username-field": _STR,
    "password-field": _STR,
    "logout-url": _STR,
    "auth-check-url": _STR,
}
_APP = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


@dataclass(frozen=True, kw_only=True)
class GateConfig:
    """Everything one gate run needs, validated. Paths are absolute."""

    root: Path
    static: StaticSettings | None
    url: str | None = None
    app: str | None = None
    app_dir: Path | None = None
    app_env: tuple[tuple[str, str], ...] = ()
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT
    login: LoginConfig | None = None
    checks: frozenset[str] = frozenset()
    exclude_checks: frozenset[str] = frozenset()
    max_rps: float | None = None
    max_requests: int | None = None
    fail_on: FailOn = DEFAULT_FAIL_ON
    static_confidence: StaticConfidence = StaticConfidence.MEDIUM
    baseline: Path | None = None
    new_only: bool = False
    write_baseline: Path | None = None
    sarif: Path | None = None
    junit: Path | None = None

    @property
    def dynamic(self) -> bool:
        return self.url is not None or self.app is not None

    def scan_config(self, base_url: str) -> ScanConfig:
        """The scanner's settings for the target (the URL, or where the app was started)."""
        limits = LOOPBACK_LIMITS if self.app else DEFAULT_LIMITS
        if self.max_rps is not None:
            limits = replace(limits, max_rps=self.max_rps)
        if self.max_requests is not None:
            limits = replace(limits, max_requests=self.max_requests)
        return ScanConfig(
            base_url=base_url,
            login=self.login,
            limits=limits,
            checks=self.checks,
            exclude_checks=self.exclude_checks,
        )


def read_table(pyproject: Path) -> dict[str, Any]:
    """``[tool.sentinel]`` of ``pyproject`` (empty when absent)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScanConfigError([f"cannot read {pyproject}: {exc.strerror or exc}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScanConfigError([f"{pyproject} is not valid TOML: {exc}"]) from exc
    table = data.get("tool", {}).get("sentinel", {})
    if not isinstance(table, dict):
        raise ScanConfigError([f"{pyproject}: [tool.sentinel] must be a table"])
    return table


def has_bandit_table(pyproject: Path) -> bool:
    try:
        return isinstance(
            tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("bandit"), dict
        )
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _type_ok(value: object, kind: str) -> bool:
    if kind == _STR:
        return isinstance(value, str)
    if kind == _STRS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == _NUM:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == _BOOL:
        return isinstance(value, bool)
    return isinstance(value, dict)


def _check_keys(table: Mapping[str, Any], known: dict[str, str], where: str, problems: list[str]) -> None:
    for key, value in table.items():
        if key == "password" and known is LOGIN_KEYS:
            problems.append(
                f"{where}: never put a password in pyproject.toml; name an environment variable with "
                "password-env"
            )
        elif key not in known:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))})")
        elif value is not None and not _type_ok(value, known[key]):
            problems.append(f"{where}: {key} must be {known[key]}")


def merge(table: Mapping[str, Any], flags: Mapping[str, Any]) -> dict[str, Any]:
    """Flags (non-None) over the file; ``url`` and ``app`` replace each other; login merges by key."""
    merged = dict(table)
    given = {k: v for k, v in flags.items() if v is not None and k != "login"}
    if "url" in given or "app" in given:
        merged.pop("url", None)
        merged.pop("app", None)
    merged.update(given)
    login = {**dict(table.get("login") or {}), **{k: v for k, v in (flags.get("login") or {}).items() if v}}
    if login:
        merged["login"] = login
    return merged


def _login(raw: Mapping[str, Any], problems: list[str]) -> LoginConfig | None:
    if not raw:
        return None
    if "url" not in raw:
        problems.append("login: url is required (the login page or endpoint, e.g. /login)")
        return None
    password: Secret | None = None
    env = raw.get("password-env")
    if env:
        value = os.environ.get(str(env))
        if value is None:
            problems.append(f"login: password-env {env} is not set: export the login user's password in it")
        else:
            password = Secret(value)
    return LoginConfig(
        url=str(raw["url"]),
        format="json" if raw.get("format") == "json" else "get" if raw.get("format") == "get" else "form",
        username=raw.get("username"),
        password=password,
        username_field=str(raw.get("username-field", "username")),
        password_field=str(raw.get("password-field", "password")),
        logout_url=raw.get("logout-url"),
        auth_check_url=raw.get("auth-check-url"),
    )


def _path(root: Path, value: object) -> Path | None:
    return None if value is None else (root / str(value)).resolve()


def build_config(
    table: Mapping[str, Any],
    flags: Mapping[str, Any],
    *,
    root: Path,
    bandit_config: Path | None = None,
    static_only: bool = False,
    dynamic_only: bool = False,
    write_baseline: Path | None = None,
) -> GateConfig:
    """Validate ``table`` (from the file) and ``flags`` together; raise every problem at once."""
    problems: list[str] = []
    _check_keys(table, KEYS, "[tool.sentinel]", problems)
    _check_keys(table.get("login") or {}, LOGIN_KEYS, "[tool.sentinel.login]", problems)
    if problems:
        raise ScanConfigError(problems)
    merged = merge(table, flags)
    if static_only and dynamic_only:
        problems.append("--static-only and --dynamic-only exclude each other")
    if merged.get("url") and merged.get("app"):
        problems.append("[tool.sentinel]: give url or app, not both")
    app = merged.get("app") if not static_only else None
    if app and not _APP.match(app):
        problems.append(f"app {app!r} must be an import string, module:attribute (e.g. examples.app:app)")
    login = _login(merged.get("login") or {}, problems) if not static_only else None
    static = None if dynamic_only else _static(merged, root, bandit_config)
    url = merged.get("url") if not static_only else None
    config = GateConfig(
        root=root,
        static=static,
        url=url,
        app=app,
        app_dir=_path(root, merged.get("app-dir", ".")),
        app_env=tuple(sorted((str(k), str(v)) for k, v in (merged.get("app-env") or {}).items())),
        startup_timeout=float(merged.get("startup-timeout", DEFAULT_STARTUP_TIMEOUT)),
        login=login,
        checks=frozenset(merged.get("checks") or ()),
        exclude_checks=frozenset(merged.get("exclude-checks") or ()),
        max_rps=merged.get("max-rps"),
        max_requests=int(merged["max-requests"]) if merged.get("max-requests") is not None else None,
        fail_on=_fail_on(str(merged.get("fail-on", "high")), problems),
        static_confidence=_confidence(str(merged.get("static-confidence", "medium")), problems),
        baseline=_path(root, merged.get("baseline")),
        new_only=bool(merged.get("new-only", False)),
        write_baseline=write_baseline,
        sarif=_path(root, merged.get("sarif")),
        junit=_path(root, merged.get("junit")),
    )
    problems += _whole_problems(config, static_only=static_only, dynamic_only=dynamic_only)
    if problems:
        raise ScanConfigError(problems)
    if config.dynamic:
        config.scan_config(config.url or "http://127.0.0.1/")  # the scanner's own checks, now
    return config


def _static(merged: Mapping[str, Any], root: Path, bandit_config: Path | None) -> StaticSettings | None:
    paths = tuple(merged.get("paths") or ())
    if not paths:
        return None
    return StaticSettings(
        root=root,
        paths=paths,
        exclude=tuple(merged.get("exclude") or ()),
        bandit_config=_path(root, merged.get("bandit-config")) or bandit_config,
        timeout=float(merged.get("bandit-timeout", DEFAULT_BANDIT_TIMEOUT)),
    )


def _fail_on(text: str, problems: list[str]) -> FailOn:
    try:
        return parse_fail_on(text)
    except ValueError as exc:
        problems.append(f"fail-on: {exc}")
        return "never"


def _confidence(text: str, problems: list[str]) -> StaticConfidence:
    try:
        return StaticConfidence.parse(text)
    except ValueError as exc:
        problems.append(f"static-confidence: {exc}")
        return StaticConfidence.MEDIUM


def _whole_problems(config: GateConfig, *, static_only: bool, dynamic_only: bool) -> list[str]:
    problems = []
    if config.static is None and not config.dynamic:
        if static_only:
            problems.append("--static-only needs source paths (arguments, or paths in [tool.sentinel])")
        elif dynamic_only:
            problems.append("--dynamic-only needs --url or --app (or url/app in [tool.sentinel])")
        else:
            problems.append("nothing to check: give source paths and/or --url/--app (or [tool.sentinel])")
    if config.new_only and config.baseline is None:
        problems.append("--new-only compares against a baseline: give --baseline FILE (or baseline =)")
    if config.startup_timeout <= 0 or (config.static is not None and config.static.timeout <= 0):
        problems.append("startup-timeout and bandit-timeout must be positive")
    return problems


__all__ = [
    "DEFAULT_STARTUP_TIMEOUT",
    "KEYS",
    "LOGIN_KEYS",
    "GateConfig",
    "build_config",
    "has_bandit_table",
    "merge",
    "read_table",
]
