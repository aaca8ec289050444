"""One way to build a Redis client that cannot hang a worker.

Shared by every Redis-backed store. The client gets socket and connect timeouts, no hidden retries
(retries multiply the worst-case wait; the circuit breaker decides instead), and a *blocking* pool
with a bounded wait for a free connection: the seed's outage was exactly a pool with no timeout.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from sentinel.breaker import CircuitBreaker
from sentinel.errors import ConfigurationError
from sentinel.extras import install_hint

T = TypeVar("T")

#: The setting the stack reads its Redis URL from; every Redis error names it.
REDIS_URL_SETTING = "SENTINEL_REDIS_URL"
SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster", "redis+sentinel", "rediss+sentinel")
#: Schemes naming several ``host:port`` seeds, comma-separated: a cluster's nodes or the sentinels.
MULTI_HOST_SCHEMES = ("redis+cluster", "rediss+cluster", "redis+sentinel", "rediss+sentinel")
#: Upper bound for the start-up ping: generous next to the per-operation deadlines, still bounded.
STARTUP_PING_TIMEOUT = 3.0


def redis_url_problems(url: str, *, setting: str = REDIS_URL_SETTING) -> list[str]:
    """Every problem with ``url`` (scheme, host, port, database number), each naming ``setting``.

    redis-py would take ``redis://host/abc`` as database 0 and answer a bad scheme with a bare
    ``ValueError``; checked here, at start, the operator reads what is wrong and where. The URL is
    shown redacted. Whether the database *exists* only the server knows: the start-up ping checks it.
    """
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return [f"{setting}={shown!r} is not a URL ({exc})"]
    if parts.scheme not in SCHEMES:
        why = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        return [
            f"{setting}={shown!r} has {why}: use redis://host:6379/0, rediss://host:6380/0 (TLS), "
            "unix:///path/to/redis.sock?db=0, redis+cluster://host:7000,host:7001 (Redis Cluster) "
            "or redis+sentinel://host:26379,host:26380/service_name/0 (Redis Sentinel)"
        ]
    if parts.scheme in MULTI_HOST_SCHEMES:
        return _multi_host_problems(parts.scheme, parts.netloc, parts.path, shown, setting)
    problems: list[str] = []
    databases: list[str] = parse_qs(parts.query).get("db", [])
    if parts.scheme == "unix":
        if not parts.path:
            problems.append(f"{setting}={shown!r} names no socket path: unix:///path/to/redis.sock")
    else:
        if not parts.hostname:
            problems.append(f"{setting}={shown!r} names no host: redis://host:6379/0")
        try:
            port = parts.port
        except ValueError:
            problems.append(f"{setting}={shown!r}: the port is not a number from 1 to 65535")
        else:
            if port == 0:
                problems.append(f"{setting}={shown!r}: port 0 is not a port (Redis listens on 6379)")
        path = parts.path.strip("/")
        if path:
            databases.insert(0, path)
    for db in databases:
        if not db.isdigit():
            problems.append(
                f"{setting}={shown!r}: database {db!r} is not a number; "
                "write redis://host:6379/0 (databases are numbered from 0)"
            )
    return problems


@dataclass(frozen=True)
class MultiHostURL:
    """A ``redis+cluster://`` or ``redis+sentinel://`` URL taken apart (see :func:`parse_multi_host`)."""

    kind: str  # "cluster" or "sentinel"
    tls: bool
    nodes: tuple[tuple[str, int], ...]
    username: str | None
    password: str | None
    service: str | None  # sentinel only: the monitored master's name
    db: int


def parse_multi_host(url: str) -> MultiHostURL:
    """Split a validated multi-host URL into what redis-py's ``RedisCluster``/``Sentinel`` take.

    ``urlsplit`` cannot read ``host:port,host:port`` (it wants one port), so the netloc is split here.
    """
    parts = urlsplit(url)
    creds, _, hosts = parts.netloc.rpartition("@")
    username: str | None = None
    password: str | None = None
    if creds:
        user, colon, secret = creds.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    nodes = tuple(_host_port(h, _default_port(parts.scheme)) for h in hosts.split(","))
    segments = [s for s in parts.path.split("/") if s]
    kind = "cluster" if parts.scheme.endswith("+cluster") else "sentinel"
    service = segments[0] if kind == "sentinel" and segments else None
    db_text = segments[1] if kind == "sentinel" and len(segments) > 1 else "0"
    return MultiHostURL(
        kind=kind, tls=parts.scheme.startswith("rediss"), nodes=nodes, username=username,
        password=password, service=service, db=int(db_text),
    )  # fmt: skip


def _default_port(scheme: str) -> int:
    return 26379 if scheme.endswith("+sentinel") else 6379


def _host_port(text: str, default: int) -> tuple[str, int]:
    host, colon, port = text.strip().rpartition(":") if "]" not in text else text.partition("]:")
    if not colon:
        return text.strip().strip("[]"), default
    return host.strip("[]"), int(port)


def _multi_host_problems(scheme: str, netloc: str, path: str, shown: str, setting: str) -> list[str]:
    sentinel = scheme.endswith("+sentinel")
    example = (
        "redis+sentinel://host:26379,host:26380/service_name/0"
        if sentinel
        else "redis+cluster://host:7000,host:7001"
    )
    problems: list[str] = []
    hosts = netloc.rpartition("@")[2]
    seeds = [h for h in hosts.split(",") if h.strip()]
    if not seeds:
        problems.append(f"{setting}={shown!r} names no host: {example}")
    for seed in seeds:
        try:
            host, port = _host_port(seed, _default_port(scheme))
        except ValueError:
            problems.append(f"{setting}={shown!r}: port of {seed!r} is not a number from 1 to 65535")
            continue
        if not host:
            problems.append(f"{setting}={shown!r}: {seed!r} names no host: {example}")
        if not 0 < port < 65536:
            problems.append(f"{setting}={shown!r}: port of {seed!r} is not a number from 1 to 65535")
    segments = [s for s in path.split("/") if s]
    if sentinel:
        if not segments:
            problems.append(f"{setting}={shown!r} names no service (the master's name): {example}")
        if len(segments) > 1 and not segments[1].isdigit():
            problems.append(f"{setting}={shown!r}: database {segments[1]!r} is not a number; write {example}")
        if len(segments) > 2:
            problems.append(f"{setting}={shown!r} has a path after the database: {example}")
    elif segments and segments != ["0"]:
        problems.append(
            f"{setting}={shown!r}: Redis Cluster has only database 0, the path must be empty or /0"
        )
    return problems


def validate_redis_url(url: str, *, setting: str = REDIS_URL_SETTING) -> None:
    """Raise one :class:`ConfigurationError` listing every problem :func:`redis_url_problems` finds."""
    problems = redis_url_problems(url, setting=setting)
    if problems:
        raise ConfigurationError(problems)


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
        raise ConfigurationError([f"RedisStore needs the redis extra: {install_hint('redis')}"]) from exc
    timeouts.validate()
    validate_redis_url(url, setting="Redis URL")
    if urlsplit(url).scheme in MULTI_HOST_SCHEMES:
        return _multi_host_client(parse_multi_host(url), timeouts=timeouts, max_connections=max_connections)
    try:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeouts.pool_wait,
            socket_timeout=timeouts.socket,
            socket_connect_timeout=timeouts.connect,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
    except ValueError as exc:  # anything our check missed: still our error, still redacted
        raise ConfigurationError([f"Redis URL {redact_url(url)!r} is refused by redis-py: {exc}"]) from exc
    return Redis(connection_pool=pool)


def _multi_host_client(spec: MultiHostURL, *, timeouts: RedisTimeouts, max_connections: int) -> Any:
    """A ``RedisCluster`` (routing by slot, following MOVED/ASK and failovers) or a Sentinel-managed
    master client (asking the sentinels for the current master at each new connection).

    Same deadlines as the single-node client. The cluster client may retry once inside a call (to
    follow a MOVED after a failover); the store's operation deadline still bounds the whole call.
    """
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    common: dict[str, Any] = {
        "username": spec.username,
        "password": spec.password,
        "socket_timeout": timeouts.socket,
        "socket_connect_timeout": timeouts.connect,
        "decode_responses": True,
    }
    if spec.tls:
        common["ssl"] = True
    if spec.kind == "cluster":
        from redis.asyncio.cluster import ClusterNode, RedisCluster

        return RedisCluster(
            startup_nodes=[ClusterNode(host, port) for host, port in spec.nodes],
            max_connections=max_connections,
            retry=Retry(NoBackoff(), 1),
            **common,
        )
    from redis.asyncio.sentinel import Sentinel

    sentinels = Sentinel(
        list(spec.nodes),
        # ``rediss+sentinel``: TLS to the sentinels too. Without it a man in the middle answers the
        # master-address question with a host of his own, and the master connection (TLS, checked
        # against that very host name) would hand him the Redis password (red-team finding).
        sentinel_kwargs={
            "socket_timeout": timeouts.socket,
            "socket_connect_timeout": timeouts.connect,
            "retry": Retry(NoBackoff(), 0),
            **({"ssl": True} if spec.tls else {}),
        },
    )
    return sentinels.master_for(
        spec.service or "",
        db=spec.db,
        max_connections=max_connections,
        retry=Retry(NoBackoff(), 0),
        **common,
    )


def is_cluster(client: Any) -> bool:
    """Whether ``client`` routes by hash slot, so every script must touch keys of one slot only."""
    try:
        from redis.asyncio.cluster import RedisCluster
    except ImportError:  # pragma: no cover - only without the extra
        return False
    return isinstance(client, RedisCluster)


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
        #: Scripts must stay within one hash slot: the stores then use their per-key paths.
        self.cluster = is_cluster(self.redis)
        self.breaker = breaker or CircuitBreaker(
            breaker_name,
            hint=f"Redis at {self.url} is failing: check that it runs and that {REDIS_URL_SETTING} "
            "(or the url given to the store) points at it",
        )

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one Redis operation under the deadline and the breaker (StoreUnavailable on failure)."""
        return await self.breaker.call(operation, timeout=self.timeouts.operation)

    async def ping(self, timeout: float = STARTUP_PING_TIMEOUT) -> str | None:
        """``None`` if Redis answers PING within ``timeout`` seconds, else why not (one line).

        Bypasses the breaker: a start-up check must not open it for the first real requests.
        """
        try:
            async with asyncio.timeout(timeout):
                await self.redis.ping()
        except TimeoutError:
            return f"Redis at {self.url} did not answer PING within {timeout:g} s"
        except Exception as exc:  # redis-py's errors, OSError: all mean "not usable", all reported
            detail = str(exc).strip().rstrip(".") or type(exc).__name__
            if "DB index" in detail:
                detail += " (the server has fewer databases: see `databases` in redis.conf)"
            return f"Redis at {self.url} is unusable: {type(exc).__name__}: {detail}"
        return None

    async def health(self) -> dict[str, Any]:
        return {"backend": "redis", "url": self.url, "breaker": self.breaker.state}

    async def aclose(self) -> None:
        """Close the connection pool if this store built it; a passed-in client stays the caller's."""
        if self._owns_client:
            if self.cluster:
                await self.redis.aclose()  # closes every node's connections
            else:
                await self.redis.aclose(close_connection_pool=True)
                # A Sentinel-managed client also holds connections to every sentinel it asked.
                manager = getattr(self.redis.connection_pool, "sentinel_manager", None)
                for sentinel in getattr(manager, "sentinels", []):
                    await sentinel.aclose()


_QUERY_SECRET = re.compile(r"(?i)([?&](?:password|username)=)[^&#]*")


def redact_url(url: str) -> str:
    """``url`` with any password replaced, safe for health output and logs (redis-py also takes
    ``?password=`` in the query)."""
    url = _QUERY_SECRET.sub(r"\1***", url)
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if user else f"{scheme}://***@{host}"


__all__ = [
    "MULTI_HOST_SCHEMES",
    "REDIS_URL_SETTING",
    "SCHEMES",
    "STARTUP_PING_TIMEOUT",
    "MultiHostURL",
    "RedisBacked",
    "RedisTimeouts",
    "is_cluster",
    "make_client",
    "parse_multi_host",
    "redact_url",
    "redis_url_problems",
    "validate_redis_url",
]
