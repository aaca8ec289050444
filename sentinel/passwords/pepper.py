"""An optional pepper: a server-side HMAC-SHA256 key mixed into every hash, kept out of the database.

A database dump without the pepper is useless for offline guessing. Keys come from
``SENTINEL_PASSWORD_PEPPER`` or ``SENTINEL_PASSWORD_PEPPER_FILE`` (comma-separated, newest first), via
:func:`sentinel.keys.keys_from_env`. New hashes use the newest key; every listed key still verifies, and
``verify_and_update`` re-peppers a hash made with an older key. Each key is named in the hash by a *key
id*: 8 hex characters derived from the key with argon2id (OWASP minimum cost), so the id is stable
without configuration, and yet is not a fast oracle for guessing a weak pepper from the id alone. Two
keys with the same id are refused at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from argon2.low_level import Type, hash_secret_raw

from sentinel.errors import ConfigurationError
from sentinel.keys import Secret, coerce_keys, keys_from_env
from sentinel.passwords.errors import UnknownPepperKey

PEPPER_ENV = "SENTINEL_PASSWORD_PEPPER"
_KID_SALT = b"sentinel.password.pepper.kid.v1"


def key_id(key: Secret) -> str:
    """The public, stable id of a pepper key (argon2id, t=2, 19 MiB, 4-byte tag, hex)."""
    raw = hash_secret_raw(
        key.reveal(), _KID_SALT, time_cost=2, memory_cost=19456, parallelism=1, hash_len=4, type=Type.ID
    )
    return raw.hex()


class Pepper:
    """HMAC-SHA256 pepper keys, newest first. ``repr`` shows key ids only."""

    __slots__ = ("_keys", "current_kid")

    def __init__(self, keys: Sequence[str | bytes | Secret]) -> None:
        secrets_ = coerce_keys(keys, what=PEPPER_ENV)
        self._keys: dict[str, Secret] = {}
        for key in secrets_:
            kid = key_id(key)
            if kid in self._keys:
                raise ConfigurationError([f"{PEPPER_ENV}: two keys share key id {kid} (the same key twice?)"])
            self._keys[kid] = key
        self.current_kid = next(iter(self._keys))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Pepper | None:
        """The pepper configured in the environment, or ``None`` when none is set."""
        keys = keys_from_env(PEPPER_ENV, environ, required=False)
        return None if keys is None else cls(keys)

    @property
    def kids(self) -> tuple[str, ...]:
        """Configured key ids, newest first."""
        return tuple(self._keys)

    def apply(self, kid: str, data: bytes) -> bytes:
        """HMAC-SHA256 of ``data`` under key ``kid``; ``UnknownPepperKey`` if it is not configured."""
        key = self._keys.get(kid)
        if key is None:
            raise UnknownPepperKey(
                f"hash was peppered with key id {kid}, which is not configured in {PEPPER_ENV}: keep "
                "retired keys listed (after the newest) until every hash has been re-peppered",
                kid=kid,
            )
        return hmac.new(key.reveal(), data, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"Pepper(kids={list(self._keys)!r})"


__all__ = ["PEPPER_ENV", "Pepper", "key_id"]
