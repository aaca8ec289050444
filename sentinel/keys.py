"""Secrets that never print, and signing-key lists that allow rotation.

Secrets come from the environment or a file, never from code. ``Secret`` masks itself in ``repr`` and
``str`` so a stray log line or traceback cannot leak it; the raw value is only reachable through
:meth:`Secret.reveal`, which is easy to grep for.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal, overload

from sentinel.errors import ConfigurationError

#: HMAC keys shorter than this are refused: an HMAC-SHA256 key should carry at least the hash's
#: 256-bit strength (NIST SP 800-107), and short keys are usually passwords, not random bytes.
MIN_KEY_BYTES = 32

#: How to make a key, quoted in every key error so the fix is one copy-paste away.
KEYGEN_HINT = "make one with `sentinel keygen`"


class Secret:
    """A secret value whose ``repr`` and ``str`` are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str | bytes) -> None:
        self._value = value.encode() if isinstance(value, str) else bytes(value)

    def reveal(self) -> bytes:
        """The raw bytes. Call this only where the key is used, never to log or display it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        # Constant-time, so equality checks never become a timing oracle.
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return id(self)


def derive_key(key: Secret, purpose: str) -> Secret:
    """A sub-key of ``key`` for one ``purpose`` (HMAC-SHA256 of the purpose under the key).

    One configured secret can then serve sessions, rate-limit keys and CSRF tokens without any two
    of them ever using the same key material.
    """
    return Secret(hmac.digest(key.reveal(), b"sentinel.derive:" + purpose.encode(), "sha256"))


def coerce_keys(keys: Iterable[str | bytes | Secret] | None, *, what: str) -> list[Secret]:
    """Validate a key list, newest first. Raises one :class:`ConfigurationError` naming every fault."""
    if keys is None:
        # The usual cause: ``keys_from_env(..., required=False)`` found nothing and its ``None`` was
        # passed on. Say so here rather than fail later with "'NoneType' object is not iterable".
        raise ConfigurationError(
            [f"{what} is None (was the key variable unset?): give a list of keys; {KEYGEN_HINT}"]
        )
    if isinstance(keys, str | bytes | Secret):
        raise ConfigurationError([f"{what} must be a list of keys (newest first), not one key"])
    secrets_ = [k if isinstance(k, Secret) else Secret(k) for k in keys]
    problems: list[str] = []
    if not secrets_:
        problems.append(f"{what} is empty: give at least one key of {MIN_KEY_BYTES}+ bytes; {KEYGEN_HINT}")
    for index, key in enumerate(secrets_):
        if len(key.reveal()) < MIN_KEY_BYTES:
            problems.append(
                f"{what}[{index}] is {len(key.reveal())} bytes, too short for a signing key: use "
                f"{MIN_KEY_BYTES}+ random bytes; {KEYGEN_HINT}"
            )
    if problems:
        raise ConfigurationError(problems)
    return secrets_


def missing_keys_message(name: str) -> str:
    """The one wording for "no keys configured", naming both variables and the command that fixes it."""
    return f"{name} (or {name}_FILE) is not set: {KEYGEN_HINT}, then export {name}=<the key>"


@overload
def keys_from_env(
    name: str = ..., environ: Mapping[str, str] | None = ..., *, required: Literal[True] = ...
) -> list[Secret]: ...
@overload
def keys_from_env(
    name: str = ..., environ: Mapping[str, str] | None = ..., *, required: bool
) -> list[Secret] | None: ...
def keys_from_env(
    name: str = "SENTINEL_SECRET_KEYS", environ: Mapping[str, str] | None = None, *, required: bool = True
) -> list[Secret] | None:
    """Read a comma-separated key list (newest first) from ``name`` or from the file ``name_FILE``.

    Neither set: a :class:`ConfigurationError` naming the variable and ``sentinel keygen``, raised
    here, where the app is built, not at its first request (Starlette builds middleware lazily, so a
    ``None`` passed on would surface only then). Optional keys (a pepper, health tokens) pass
    ``required=False`` and get ``None`` instead.
    """
    env = os.environ if environ is None else environ
    raw = env.get(name)
    file_name = env.get(f"{name}_FILE")
    if raw and file_name:
        raise ConfigurationError([f"set {name} or {name}_FILE, not both"])
    if file_name:
        try:
            raw = Path(file_name).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError([f"{name}_FILE={file_name!r} cannot be read: {exc}"]) from exc
    if not raw or not raw.strip(" \n\r\t,"):
        if required:
            raise ConfigurationError([missing_keys_message(name)])
        return None
    parts = [p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()]
    return coerce_keys(parts, what=name)


__all__ = [
    "KEYGEN_HINT",
    "MIN_KEY_BYTES",
    "Secret",
    "coerce_keys",
    "derive_key",
    "keys_from_env",
    "missing_keys_message",
]
