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

# Shared by the scripts: the per-user index is a sorted set scored by each member's expiry, pruned on
# every write, so it never outgrows the user's live sessions and revocation stays cheap.
_INDEX = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function index_add(idx, member, ttl)
  local now = now_ms()
  redis.call('ZADD', idx, now + ttl, member)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now)
  if redis.call('PTTL', idx) < ttl then redis.call('PEXPIRE', idx, ttl) end
end
local function is_tombstone(v)
  return string.sub(v, 1, 2) == 'R:'
end
"""
_CREATE = (
    _INDEX
    + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
if ARGV[3] == '1' then index_add(KEYS[2], KEYS[1], tonumber(ARGV[2])) end
return 1
"""
)
_UPDATE = (
    _INDEX
    + """
local v = redis.call('GET', KEYS[1])
if not v or is_tombstone(v) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[3] == '1' then index_add(KEYS[2], KEYS[1], tonumber(ARGV[2])) end
return 1
"""
)
_ROTATE = (
    _INDEX
    + """
local v = redis.call('GET', KEYS[1])
if not v or is_tombstone(v) or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], 'R:' .. KEYS[2], 'PX', ARGV[5])
if ARGV[3] == '1' then redis.call('ZREM', KEYS[3], KEYS[1]) end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if ARGV[4] == '1' then index_add(KEYS[4], KEYS[2], tonumber(ARGV[2])) end
return 1
"""
)
# A logout that opened the session before a concurrent rotation follows the tombstone one hop, so
# the successor dies too: "logged out" must mean logged out.
_DELETE = (
    _INDEX
    + """
local v = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
if ARGV[1] == '1' then redis.call('ZREM', KEYS[2], KEYS[1]) end
if v and is_tombstone(v) then
  local successor = string.sub(v, 3)
  redis.call('DEL', successor)
  redis.call('ZREM', KEYS[2], successor)
end
return 1
"""
)
_DELETE_USER = """
local n = 0
for _, k in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do n = n + redis.call('DEL', k) end
redis.call('DEL', KEYS[1])
return n
"""


_TOMBSTONE_PREFIX = "R:"  # "R:<successor key>", written by _ROTATE, followed by _DELETE


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

    @property
    def prefix(self) -> str:
        """The prefix of every key this store writes (the new-session budget shares it)."""
        return self._prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}s:{key}"

    def _user(self, user_id: str | None) -> str:
        return f"{self._prefix}u:{user_id or ''}"

    async def load(self, key: str) -> str | None:
        value: str | None = await self.call(lambda: self.redis.get(self._key(key)))
        if value is not None and value.startswith(_TOMBSTONE_PREFIX):
            return TOMBSTONE  # the successor's key stays inside Redis
        return value

    async def create(self, key: str, value: str, *, ttl: float, user_id: str | None) -> bool:
        keys = [self._key(key), self._user(user_id)]
        args = [value, _ms(ttl), "1" if user_id is not None else "0"]
        return bool(await self.call(lambda: self._create(keys=keys, args=args)))

    async def update(self, key: str, value: str, *, ttl: float, user_id: str | None = None) -> bool:
        keys = [self._key(key), self._user(user_id)]
        args = [value, _ms(ttl), "1" if user_id is not None else "0"]
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
