"""The Redis session store, for more than one process or machine.

- A read-only request costs one round trip (``GET``); every write is one ``EVALSHA``.
- Updates, rotation, deletion and per-user revocation are Lua scripts, so each is atomic. redis-py's
  registered scripts fall back to ``EVAL`` on ``NOSCRIPT``, so a Redis restart (which forgets the
  script cache) costs one extra round trip, never an error.
- Keys carry TTLs, so Redis itself forgets expired sessions.
- Every call runs under timeouts and a circuit breaker (:mod:`sentinel.breaker`): a dead or stalled
  Redis gives a fast 503 with Retry-After, never a hung worker.

Scripts touch the user-index keys they are given, and the per-user revocation script touches the
member keys it reads, so this store targets standalone or replicated Redis, not Redis Cluster.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sentinel.breaker import CircuitBreaker
from sentinel.redis_client import RedisBacked, RedisTimeouts
from sentinel.sessions.store import TOMBSTONE

T = TypeVar("T")

_CREATE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
if ARGV[3] == '1' then
  redis.call('SADD', KEYS[2], KEYS[1])
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
end
return 1
"""
_UPDATE = """
local v = redis.call('GET', KEYS[1])
if not v or v == ARGV[4] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[3] == '1' and redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
"""
_ROTATE = """
local v = redis.call('GET', KEYS[1])
if not v or v == ARGV[5] or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[6])
if ARGV[3] == '1' then redis.call('SREM', KEYS[3], KEYS[1]) end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if ARGV[4] == '1' then
  redis.call('SADD', KEYS[4], KEYS[2])
  if redis.call('PTTL', KEYS[4]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[4], ARGV[2]) end
end
return 1
"""
_DELETE = """
redis.call('DEL', KEYS[1])
if ARGV[1] == '1' then redis.call('SREM', KEYS[2], KEYS[1]) end
return 1
"""
_DELETE_USER = """
local n = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do n = n + redis.call('DEL', k) end
redis.call('DEL', KEYS[1])
return n
"""


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class RedisStore(RedisBacked):
    """A :class:`~sentinel.sessions.SessionStore` on Redis (``pip install 'sentinel-asgi[redis]'``).

    Pass a URL, or ``client=`` an existing ``redis.asyncio.Redis`` (it must use
    ``decode_responses=True`` and should carry its own timeouts).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        prefix: str = "sentinel:",
        timeouts: RedisTimeouts | None = None,
        breaker: CircuitBreaker | None = None,
        max_connections: int = 64,
    ) -> None:
        super().__init__(
            url, client=client, timeouts=timeouts, breaker=breaker,
            breaker_name="redis session store", max_connections=max_connections,
        )  # fmt: skip
        self._prefix = prefix
        register = self.redis.register_script
        self._create = register(_CREATE)
        self._update = register(_UPDATE)
        self._rotate = register(_ROTATE)
        self._delete = register(_DELETE)
        self._delete_user = register(_DELETE_USER)

    def _key(self, key: str) -> str:
        return f"{self._prefix}s:{key}"

    def _user(self, user_id: str | None) -> str:
        return f"{self._prefix}u:{user_id or ''}"

    async def load(self, key: str) -> str | None:
        value: str | None = await self.call(lambda: self.redis.get(self._key(key)))
        return value

    async def create(self, key: str, value: str, *, ttl: float, user_id: str | None) -> bool:
        keys = [self._key(key), self._user(user_id)]
        args = [value, _ms(ttl), "1" if user_id is not None else "0"]
        return bool(await self.call(lambda: self._create(keys=keys, args=args)))

    async def update(self, key: str, value: str, *, ttl: float, user_id: str | None = None) -> bool:
        keys = [self._key(key), self._user(user_id)]
        args = [value, _ms(ttl), "1" if user_id is not None else "0", TOMBSTONE]
        return bool(await self.call(lambda: self._update(keys=keys, args=args)))

    async def rotate(
        self,
        old_key: str,
        new_key: str,
        value: str,
        *,
        ttl: float,
        old_user_id: str | None,
        user_id: str | None,
        grace: float,
    ) -> bool:
        keys = [
            self._key(old_key),
            self._key(new_key),
            self._user(old_user_id),
            self._user(user_id),
        ]
        args = [
            value,
            _ms(ttl),
            "1" if old_user_id is not None else "0",
            "1" if user_id is not None else "0",
            TOMBSTONE,
            _ms(grace),
        ]
        return bool(await self.call(lambda: self._rotate(keys=keys, args=args)))

    async def delete(self, key: str, *, user_id: str | None) -> None:
        keys = [self._key(key), self._user(user_id)]
        args = ["1" if user_id is not None else "0"]
        await self.call(lambda: self._delete(keys=keys, args=args))

    async def delete_user(self, user_id: str) -> int:
        keys = [self._user(user_id)]
        return int(await self.call(lambda: self._delete_user(keys=keys, args=[])))


__all__ = ["RedisStore"]
