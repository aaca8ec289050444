"""Typed readers for ``SENTINEL_*`` variables, shared by the guards' ``from_env`` constructors.

Each reader returns ``None`` when the variable is unset or empty (the caller keeps its default) and
raises :class:`~sentinel.errors.ConfigurationError` naming the variable and the expected form when
it is malformed, so a typo fails at start-up rather than silently falling back.
"""

from __future__ import annotations

from collections.abc import Mapping

from sentinel.errors import ConfigurationError

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _raw(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def env_bool(env: Mapping[str, str], name: str) -> bool | None:
    raw = _raw(env, name)
    if raw is None:
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ConfigurationError([f"{name} must be 1/true/yes/on or 0/false/no/off, not {raw!r}"])


def env_int(env: Mapping[str, str], name: str) -> int | None:
    raw = _raw(env, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError([f"{name} must be a whole number, not {raw!r}"]) from None


def env_float(env: Mapping[str, str], name: str) -> float | None:
    raw = _raw(env, name)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError([f"{name} must be a number of seconds, not {raw!r}"]) from None


def env_list(env: Mapping[str, str], name: str) -> list[str] | None:
    """A comma-separated list; empty items dropped."""
    raw = _raw(env, name)
    if raw is None:
        return None
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    raw = _raw(env, name)
    if raw is None:
        return None
    if raw.lower() not in choices:
        raise ConfigurationError([f"{name} must be one of {', '.join(choices)}, not {raw!r}"])
    return raw.lower()


__all__ = ["env_bool", "env_choice", "env_float", "env_int", "env_list"]
