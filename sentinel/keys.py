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

from sentinel.errors import ConfigurationError

#: HMAC keys shorter than this are refused: an HMAC-SHA256 key should carry at least the hash's
#: 256-bit strength (NIST SP 800-107), and short keys are usually passwords, not random bytes.
MIN_KEY_BYTES = 32


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


def coerce_keys(keys: Iterable[str | bytes | Secret], *, what: str) -> list[Secret]:
    """Validate a key list, newest first. Raises one :class:`ConfigurationError` naming every fault."""
    if isinstance(keys, str | bytes | Secret):
        raise ConfigurationError([f"{what} must be a list of keys (newest first), not one key"])
    secrets_ = [k if isinstance(k, Secret) else Secret(k) for k in keys]
    problems: list[str] = []
    if not secrets_:
        problems.append(f"{what} is empty: give at least one key of {MIN_KEY_BYTES}+ bytes")
    for index, key in enumerate(secrets_):
        if len(key.reveal()) < MIN_KEY_BYTES:
            problems.append(
                f"{what}[{index}] is {len(key.reveal())} bytes; use {MIN_KEY_BYTES}+ random bytes "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
    if problems:
        raise ConfigurationError(problems)
    return secrets_


def keys_from_env(
    name: str = "SENTINEL_SECRET_KEYS", environ: Mapping[str, str] | None = None
) -> list[Secret] | None:
    """Read a comma-separated key list (newest first) from ``name`` or from the file ``name_FILE``.

    Returns ``None`` when neither is set, so the caller decides whether that is an error.
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
    if not raw:
        return None
    parts = [p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()]
    return coerce_keys(parts, what=name)


__all__ = ["MIN_KEY_BYTES", "Secret", "coerce_keys", "derive_key", "keys_from_env"]
