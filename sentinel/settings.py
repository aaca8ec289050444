"""All of Sentinel's settings in one object, read from keyword arguments or ``SENTINEL_*`` variables.

Configuration is injected at start (the seed's rule), validated once, and *every* problem is reported
together in one :class:`~sentinel.errors.ConfigurationError`, so an operator fixes a deployment in one
pass instead of one restart per typo. Secrets are :class:`~sentinel.keys.Secret` values and the Redis
URL is shown redacted, so ``repr(settings)`` is safe to log.

| variable | setting |
|---|---|
| ``SENTINEL_SECRET_KEYS`` / ``_FILE`` | signing keys, newest first (required) |
| ``SENTINEL_REDIS_URL`` | share sessions and login limits through Redis (validated at start) |
| ``SENTINEL_REDIS_STARTUP`` | ``require`` (default): refuse to start if Redis does not answer; ``degraded`` |
| ``SENTINEL_HOST``, ``SENTINEL_PORT`` | bind address for the examples and the demo (127.0.0.1:8000) |
| ``SENTINEL_LOG_FORMAT`` | ``json`` for JSON security-event lines, ``text`` (default) otherwise |
| ``SENTINEL_CSRF``, ``SENTINEL_XML_GUARD``, ``SENTINEL_SHEDDING`` | ``off`` disables that guard (warns) |
| ``SENTINEL_HEADERS`` | ``basic`` (default), ``strict`` or ``off`` (warns) |
| ``SENTINEL_BODY_TIMEOUT``, ``SENTINEL_BODY_MIN_RATE`` | body deadline (10 s +1 s per 500 B), ``off`` warns |
| ``SENTINEL_HEALTH_TOKEN`` / ``_FILE`` | enables ``/healthz`` for operators holding the token |

Each guard also reads its own variables (see its docs page); those problems are collected here too.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args

from sentinel.csrf import CSRFSettings
from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.headers import BASIC, HeaderPolicy, policy_from_env
from sentinel.health import HealthSettings
from sentinel.keys import Secret, coerce_keys, keys_from_env
from sentinel.ratelimit import DEFAULT_AUTH_POLICY, NO_PROXIES, AuthPolicy, TrustedProxies
from sentinel.redis_client import REDIS_URL_SETTING, redact_url, redis_url_problems
from sentinel.sessions import SessionSettings
from sentinel.shedding import BodyDeadline, SheddingPolicy
from sentinel.xml import XMLGuardSettings

logger = logging.getLogger("sentinel")
T = TypeVar("T")
LOOPBACK = "127.0.0.1"
#: What the lifespan start-up does when Redis does not answer (see docs/protect.md).
RedisStartup = Literal["require", "degraded"]


@dataclass(frozen=True, kw_only=True)
class SentinelSettings:
    """Everything :func:`sentinel.protect` assembles. ``None`` for a guard means it is off."""

    #: Newest first; strings or bytes are accepted and wrapped in :class:`Secret`.
    secret_keys: Sequence[Secret | str | bytes]
    redis_url: str | None = None
    #: ``require``: a Redis that does not answer at start fails the lifespan start-up (the server
    #: exits, naming Redis and SENTINEL_REDIS_URL). ``degraded``: start anyway, log an error; requests
    #: that need Redis answer 503 until it is back.
    redis_startup: RedisStartup = "require"
    sessions: SessionSettings = field(default_factory=SessionSettings)
    xml: XMLGuardSettings | None = field(default_factory=XMLGuardSettings)
    csrf: CSRFSettings | None = field(default_factory=CSRFSettings)
    headers: HeaderPolicy | None = field(default_factory=lambda: BASIC)
    shedding: SheddingPolicy | None = field(default_factory=SheddingPolicy)
    body_deadline: BodyDeadline | None = field(default_factory=BodyDeadline)
    health: HealthSettings | None = None
    auth_policy: AuthPolicy = DEFAULT_AUTH_POLICY
    trusted_proxies: TrustedProxies = NO_PROXIES
    json_logs: bool = False
    host: str = LOOPBACK
    port: int = 8000

    def __post_init__(self) -> None:
        problems = []
        try:
            # The same rules as every guard (a list, newest first, 32+ bytes each), checked on the
            # raw keys: protect() derives per-purpose keys, which would pass any later length check.
            keys = tuple(coerce_keys(self.secret_keys, what="secret_keys"))
            object.__setattr__(self, "secret_keys", keys)
        except ConfigurationError as exc:
            problems.extend(exc.problems)
        if self.redis_url is not None:
            problems.extend(redis_url_problems(self.redis_url, setting=REDIS_URL_SETTING))
        if self.redis_startup not in get_args(RedisStartup):
            problems.append(
                f"SENTINEL_REDIS_STARTUP={self.redis_startup!r}: use 'require' (the default) or 'degraded'"
            )
        if not 0 < self.port < 65536:
            problems.append(f"port {self.port} is not a TCP port")
        if problems:
            raise ConfigurationError(problems)
        guards = ("xml", "csrf", "headers", "shedding", "body_deadline")
        off = [name for name in guards if getattr(self, name) is None]
        for name in off:
            message = f"the {name} guard is OFF: requests reach the app without it"
            logger.warning("UNSAFE Sentinel setting: %s", message)
            warnings.warn(message, SentinelUnsafeWarning, stacklevel=3)
        if self.host not in (LOOPBACK, "::1", "localhost"):
            logger.warning("binding %s: the app is reachable beyond this machine", self.host)

    def __repr__(self) -> str:
        url = None if self.redis_url is None else redact_url(self.redis_url)
        guards = [n for n in ("xml", "csrf", "headers", "shedding", "health") if getattr(self, n) is not None]
        return (
            f"SentinelSettings(secret_keys=<{len(self.secret_keys)} keys>, redis_url={url!r}, "
            f"guards={guards}, bind={self.host}:{self.port})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> SentinelSettings:
        """Settings from ``SENTINEL_*`` variables; keyword ``overrides`` win. Every problem at once."""
        env = os.environ if environ is None else environ
        problems: list[str] = []

        def read(build: Callable[[], T]) -> T | None:
            try:
                return build()
            except ConfigurationError as exc:
                problems.extend(exc.problems)
                return None

        def switch(name: str) -> bool:
            return env.get(name, "on").strip().lower() not in ("off", "0", "false", "no")

        values: dict[str, Any] = {
            # One problem per cause: a missing variable says so (with the keygen hint); a short key
            # says it is short, never also "not set".
            "secret_keys": ()
            if "secret_keys" in overrides
            else tuple(read(lambda: keys_from_env("SENTINEL_SECRET_KEYS", env)) or ()),
            "redis_url": env.get("SENTINEL_REDIS_URL") or None,
            "redis_startup": env.get("SENTINEL_REDIS_STARTUP", "require").strip().lower(),
            "xml": read(XMLGuardSettings) if switch("SENTINEL_XML_GUARD") else None,
            "csrf": read(lambda: CSRFSettings.from_env(env)) if switch("SENTINEL_CSRF") else None,
            "headers": read(lambda: policy_from_env(env)) if switch("SENTINEL_HEADERS") else None,
            "shedding": read(lambda: SheddingPolicy.from_env(env)) if switch("SENTINEL_SHEDDING") else None,
            "body_deadline": (
                read(lambda: BodyDeadline.from_env(env)) if switch("SENTINEL_BODY_TIMEOUT") else None
            ),
            "health": read(lambda: _health_from_env(env)),
            "json_logs": env.get("SENTINEL_LOG_FORMAT", "text").strip().lower() == "json",
            "host": env.get("SENTINEL_HOST", LOOPBACK),
            "port": read(lambda: _port(env)) or 8000,
        }
        if problems:
            # Report the Redis URL's problems too, so one restart fixes everything.
            if values["redis_url"] and "redis_url" not in overrides:
                problems.extend(redis_url_problems(values["redis_url"], setting=REDIS_URL_SETTING))
            raise ConfigurationError(problems)
        values.update(overrides)
        return cls(**values)


def _health_from_env(env: Mapping[str, str]) -> HealthSettings | None:
    """Health is opt-in: on only when an operator token (or loopback access) is configured."""
    if not (env.get("SENTINEL_HEALTH_TOKEN") or env.get("SENTINEL_HEALTH_TOKEN_FILE")) and not env.get(
        "SENTINEL_HEALTH_ALLOW_LOOPBACK"
    ):
        return None
    return HealthSettings.from_env(env)


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("SENTINEL_PORT", "8000").strip()
    if not raw.isdigit():
        raise ConfigurationError([f"SENTINEL_PORT must be a port number, not {raw!r}"])
    return int(raw)


__all__ = ["RedisStartup", "SentinelSettings"]
