"""The Redis session store, for more than one process or machine.

- A read-only request costs one round trip (``GET``); every write is one ``EVALSHA``.
- Updates, rotation, deletion and per-user revocation are Lua scripts, so each is atomic. redis-py's
  registered scripts fall back to ``EVAL`` on ``NOSCRIPT``, so a Redis restart (which forgets the
  script cache) costs one extra round trip, never an error.
- Keys carry TTLs, so Redis itself forgets expired sessions.
- Every call runs under timeouts and a circuit breaker (:mod:`sentinel.breaker`): a dead or stalled
  Redis gives a fast 503 with Retry-After, never a hung worker.

On Redis Cluster (``redis+cluster://``) a session, its successor and the user indexes live in
different hash slots, so no script may touch two of them. The store then runs one single-key step at a
time, ordered so that every interleaving leaves a state the contract allows (see :data:`_CLUSTER_NOTES`).
"""

from __future__ import annotations

import asyncio
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


# Single-key steps for Redis Cluster.
_C_UPDATE = (
    _INDEX
    + """
local v = redis.call('GET', KEYS[1])
if not v or is_tombstone(v) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
)
_C_INDEX_ADD = _INDEX + "index_add(KEYS[1], ARGV[1], tonumber(ARGV[2]))\nreturn 1\n"
_C_TOMBSTONE = (
    _INDEX
    + """
local v = redis.call('GET', KEYS[1])
if not v or is_tombstone(v) then return 0 end
redis.call('SET', KEYS[1], 'R:' .. ARGV[1], 'PX', ARGV[2])
return 1
"""
)
_C_TAKE = "local v = redis.call('GET', KEYS[1])\nredis.call('DEL', KEYS[1])\nreturn v\n"

_CLUSTER_NOTES = """Why the single-key steps are safe (Redis Cluster):

- create: SET NX the record, then add it to the user index. A failure in between raises, so the
  client never receives the session's ID: an unindexed record is unreachable and expires.
- rotate: SET NX the successor, index it, *then* tombstone the old record (atomically: only if it is
  live and not a tombstone already), and drop the old record from its index. Two racing rotations
  both write a successor but only one tombstones the old record; the loser deletes its successor.
  A logout or revocation that removed the old record first makes the tombstone step fail, and the
  successor is deleted: no session outlives a revocation it raced.
- delete: take (GET+DEL) the record, unindex it, and if it was a tombstone delete the successor too.
- delete_user: read the index, delete every member, then ZREM exactly those members (never DEL the
  index: a session created meanwhile was indexed after the read and stays revocable).
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
        self._c_update = register(_C_UPDATE)
        self._c_index_add = register(_C_INDEX_ADD)
        self._c_tombstone = register(_C_TOMBSTONE)
        self._c_take = register(_C_TAKE)

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

    async def _index(self, user_id: str | None, member: str, ms: int) -> None:
        if user_id is not None:
            await self._c_index_add(keys=[self._user(user_id)], args=[member, ms])

    async def _c_create(self, key: str, value: str, ms: int, user_id: str | None) -> bool:
        if not await self.redis.set(self._key(key), value, nx=True, px=ms):
            return False
        await self._index(user_id, self._key(key), ms)
        return True

    async def _c_update_(self, key: str, value: str, ms: int, user_id: str | None) -> bool:
        if not await self._c_update(keys=[self._key(key)], args=[value, ms]):
            return False
        await self._index(user_id, self._key(key), ms)
        return True

    async def _c_rotate(
        self, old: str, new: str, value: str, ms: int, old_user: str | None, user: str | None, grace_ms: int
    ) -> bool:
        if not await self.redis.set(new, value, nx=True, px=ms):
            return False
        await self._index(user, new, ms)
        if not await self._c_tombstone(keys=[old], args=[new, grace_ms]):
            await self.redis.delete(new)
            if user is not None:
                await self.redis.zrem(self._user(user), new)
            return False
        if old_user is not None:
            await self.redis.zrem(self._user(old_user), old)
        return True

    async def _c_delete(self, key: str, user_id: str | None) -> None:
        value = await self._c_take(keys=[key], args=[])
        if user_id is not None:
            await self.redis.zrem(self._user(user_id), key)
        if value and value.startswith(_TOMBSTONE_PREFIX):
            successor = value[len(_TOMBSTONE_PREFIX) :]
            await self.redis.delete(successor)
            await self.redis.zrem(self._user(user_id), successor)

    async def _c_delete_user(self, user_id: str) -> int:
        index = self._user(user_id)
        members: list[str] = await self.redis.zrange(index, 0, -1)
        if not members:
            return 0
        gone = await asyncio.gather(*(self.redis.delete(m) for m in members))
        await self.redis.zrem(index, *members)
        return sum(int(n) for n in gone)

    async def create(self, key: str, value: str, *, ttl: float, user_id: str | None) -> bool:
        if self.cluster:
            return await self.call(lambda: self._c_create(key, value, _ms(ttl), user_id))
        keys = [self._key(key), self._user(user_id)]
        args = [value, _ms(ttl), "1" if user_id is not None else "0"]
        return bool(await self.call(lambda: self._create(keys=keys, args=args)))

    async def update(self, key: str, value: str, *, ttl: float, user_id: str | None = None) -> bool:
        if self.cluster:
            return await self.call(lambda: self._c_update_(key, value, _ms(ttl), user_id))
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
        if self.cluster:
            old, new = self._key(old_key), self._key(new_key)
            ms, grace_ms = _ms(ttl), _ms(grace)
            return await self.call(
                lambda: self._c_rotate(old, new, value, ms, old_user_id, user_id, grace_ms)
            )
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
        if self.cluster:
            await self.call(lambda: self._c_delete(self._key(key), user_id))
            return
        keys = [self._key(key), self._user(user_id)]
        args = ["1" if user_id is not None else "0"]
        await self.call(lambda: self._delete(keys=keys, args=args))

    async def delete_user(self, user_id: str) -> int:
        if self.cluster:
            return await self.call(lambda: self._c_delete_user(user_id))
        keys = [self._user(user_id)]
        return int(await self.call(lambda: self._delete_user(keys=keys, args=[])))


__all__ = ["RedisStore"]
