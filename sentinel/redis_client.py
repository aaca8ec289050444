"""One way to build a Redis client that cannot hang a worker.

Shared by every Redis-backed store. The client gets socket and connect timeouts, no hidden retries
(retries multiply the worst-case wait; the circuit breaker decides instead), and a *blocking* pool
with a bounded wait for a free connection: the seed's outage was exactly a pool with no timeout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sentinel.breaker import CircuitBreaker
from sentinel.errors import ConfigurationError

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class RedisTimeouts:
    """Deadlines, in seconds, for every stage of a Redis call."""

    connect: float = 0.25
    socket: float = 0.25
    pool_wait: float = 0.25
    #: Hard deadline for one whole store operation (wraps all of the above).
    operation: float = 0.5

    def validate(self) -> None:
        bad = [name for name, value in vars(self).items() if not 0 < value <= 30]
        if bad:
            raise ConfigurationError([f"Redis timeout {name} must be in (0, 30] s" for name in bad])


def make_client(url: str, *, timeouts: RedisTimeouts, max_connections: int = 64) -> Any:
    """A ``redis.asyncio.Redis`` for ``url`` with bounded waits everywhere.

    Typed ``Any`` so importing :mod:`sentinel` never requires the optional ``redis`` extra.
    """
    try:
        from redis.asyncio import BlockingConnectionPool, Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ConfigurationError(
            ["RedisStore needs the redis extra: pip install 'sentinel-asgi[redis]'"]
        ) from exc
    timeouts.validate()
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeouts.pool_wait,
        socket_timeout=timeouts.socket,
        socket_connect_timeout=timeouts.connect,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )
    return Redis(connection_pool=pool)


class RedisBacked:
    """What every Redis-backed store shares: the client (built with bounded waits, or passed in),
    the circuit breaker, the per-operation deadline, health and closing.

    Subclasses register their Lua scripts on ``self.redis`` and run every command through
    :meth:`call`, so no store can forget the timeout or the breaker.
    """

    def __init__(
        self,
        url: str | None,
        *,
        client: Any,
        timeouts: RedisTimeouts | None,
        breaker: CircuitBreaker | None,
        breaker_name: str,
        max_connections: int,
    ) -> None:
        if (url is None) == (client is None):
            raise ValueError(f"give {type(self).__name__} a url or a client, not both and not neither")
        if client is not None and not client.get_connection_kwargs().get("decode_responses"):
            # Bytes replies would read as corrupt records, and every session would be discarded.
            raise ConfigurationError([f"{type(self).__name__} needs a client with decode_responses=True"])
        self.timeouts = timeouts or RedisTimeouts()
        self.url = redact_url(url) if url else "client"
        self._owns_client = client is None
        self.redis = client or make_client(url or "", timeouts=self.timeouts, max_connections=max_connections)
        self.breaker = breaker or CircuitBreaker(breaker_name)

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one Redis operation under the deadline and the breaker (StoreUnavailable on failure)."""
        return await self.breaker.call(operation, timeout=self.timeouts.operation)

    async def health(self) -> dict[str, Any]:
        return {"backend": "redis", "url": self.url, "breaker": self.breaker.state}

    async def aclose(self) -> None:
        """Close the connection pool if this store built it; a passed-in client stays the caller's."""
        if self._owns_client:
            await self.redis.aclose(close_connection_pool=True)


def redact_url(url: str) -> str:
    """``url`` with any password replaced, safe for health output and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if user else f"{scheme}://***@{host}"


__all__ = ["RedisBacked", "RedisTimeouts", "make_client", "redact_url"]
