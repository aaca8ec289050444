"""The Redis limiter store, for counters shared by many processes or machines.

- Every verb is one registered Lua script, so it is atomic and costs ONE round trip (``EVALSHA``).
  redis-py's registered scripts answer ``NOSCRIPT`` (a restarted or flushed Redis forgets its
  script cache) by loading the script and retrying, so a restart costs two extra round trips once,
  never an error.
- The scripts are line-for-line the steps of :mod:`sentinel.ratelimit.algorithm`; one contract test
  class runs against both stores.
- Every key carries a TTL equal to the moment it holds nothing any more, so Redis forgets drained
  counters by itself.
- Time: by default the scripts read the Redis server's clock (``TIME``), so app servers with skewed
  clocks still agree on lockouts. ``server_time=False`` uses the caller's clock (tests inject one).
- Calls run under the timeouts of :mod:`sentinel.redis_client` and a circuit breaker: a dead or
  stalled Redis costs at most one operation timeout per call until the breaker opens, then nothing.

On Redis Cluster (``redis+cluster://``) the four keys of an attempt live in different hash slots, so
one script cannot touch them all (CROSSSLOT). The store then runs :data:`_KEY_ATTEMPT` once per key,
*in a fixed order* (pair, IP, account, spelling), each script checking and charging its one key
atomically, and refunds the keys already charged when a later key refuses (see
:meth:`RedisLimiterStore._attempt_per_key` for why this never admits more than the limit).
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from sentinel.breaker import CircuitBreaker
from sentinel.ratelimit.algorithm import BLOCKED_IP, Charge, Verdict
from sentinel.ratelimit.policy import CompiledLimit, CompiledPolicy
from sentinel.ratelimit.store import AttemptKeys
from sentinel.redis_client import RedisBacked, RedisTimeouts

T = TypeVar("T")

_PRELUDE = """
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(x) return string.format('%.0f', x) end
local function save(key, t, u, k)
  local deadline = math.max(t, u, k)
  if deadline <= now then redis.call('DEL', key) return end
  redis.call('HSET', key, 't', fmt(t), 'u', fmt(u))
  redis.call('PEXPIRE', key, fmt(deadline - now))
end
local function load(key)
  local v = redis.call('HMGET', key, 't', 'u', 'k')
  return tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
end
"""

# KEYS: pair, account, ip, and the typed name's spelling key (AuthLimiter always sends it).
# ARGV: now, then free/interval/first/max for pair (2-5), account (6-9), ip (10-13), then the account
# ceiling level (14). The spelling key has the account's limit and known-source exemption.
_ATTEMPT = (
    _PRELUDE
    + """
local function lockout(level, o)
  local free = tonumber(ARGV[o])
  if level < free then return 0 end
  return math.min(tonumber(ARGV[o + 2]) * 2 ^ math.min(level - free, 62), tonumber(ARGV[o + 3]))
end
local function charge(key, t, u, k, o)
  local interval = tonumber(ARGV[o + 1])
  t = math.max(t, now) + interval
  local level = math.ceil((t - now) / interval)
  local nu = u
  if level >= tonumber(ARGV[o]) then nu = math.max(u, now + lockout(level, o)) end
  save(key, t, nu, k)
  if nu ~= u then return nu end
  return 0
end
local pt, pu, pk = load(KEYS[1])
local at, au, ak = load(KEYS[2])
local it, iu, ik = load(KEYS[3])
local st, su, sk = 0, 0, 0
local spelled = #KEYS == 4
if spelled then st, su, sk = load(KEYS[4]) end
local known = 0
if pk > now then known = 1 end
local wait, blocked = 0, 0
if pu > now then wait = math.max(wait, pu - now); blocked = blocked + 1 end
local au2 = math.max(au, su)
if known == 0 and au2 > now then wait = math.max(wait, au2 - now); blocked = blocked + 2 end
if iu > now then wait = math.max(wait, iu - now); blocked = blocked + 4 end
local ai = tonumber(ARGV[7])
local over = math.max(at, now) + ai - now - tonumber(ARGV[14]) * ai
if over > 0 then wait = math.max(wait, over); blocked = blocked + 8 end
if blocked > 0 then return {0, now, wait, blocked, known} end
local pn = charge(KEYS[1], pt, pu, pk, 2)
local an = charge(KEYS[2], at, au, ak, 6)
local inew = charge(KEYS[3], it, iu, ik, 10)
local sn = 0
if spelled then sn = charge(KEYS[4], st, su, sk, 6) end
return {1, now, 0, 0, known, pn, pu, an, au, inew, iu, sn, su}
"""
)

# KEYS: pair, account, ip[, spelling]. ARGV: now, known_ttl, account interval/new/old,
# ip interval/new/old, spelling new/old.
_SUCCEED = (
    _PRELUDE
    + """
redis.call('DEL', KEYS[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('HSET', KEYS[1], 'k', fmt(now + ttl))
  redis.call('PEXPIRE', KEYS[1], fmt(ttl))
end
local function refund(key, interval, new, old)
  if redis.call('EXISTS', key) == 0 then return end
  local t, u, k = load(key)
  t = math.max(t - tonumber(interval), now)
  if tonumber(new) > 0 and u == tonumber(new) then u = tonumber(old) end
  save(key, t, u, k)
end
refund(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
refund(KEYS[3], ARGV[6], ARGV[7], ARGV[8])
if #KEYS == 4 then refund(KEYS[4], ARGV[3], ARGV[9], ARGV[10]) end
return 1
"""
)

# KEYS: the throttle key. ARGV: now, burst, interval.
_THROTTLE = (
    _PRELUDE
    + """
local interval = tonumber(ARGV[3])
local after = math.max(tonumber(redis.call('GET', KEYS[1])) or 0, now) + interval
local over = after - now - tonumber(ARGV[2]) * interval
if over > 0 then return {0, now, over} end
redis.call('SET', KEYS[1], fmt(after), 'PX', fmt(after - now))
return {1, now, 0}
"""
)


# The per-key step of an attempt, for Redis Cluster. KEYS: one counter. ARGV: now, free, interval,
# first lockout, max lockout (2-5, as ``charge`` reads them at offset 2), charge? (6), exempt from the
# lockout because the source is known (7), ceiling level or 0 (8), the blocked bit this key reports (9).
_KEY_ATTEMPT = (
    _PRELUDE
    + """
local function lockout(level, o)
  local free = tonumber(ARGV[o])
  if level < free then return 0 end
  return math.min(tonumber(ARGV[o + 2]) * 2 ^ math.min(level - free, 62), tonumber(ARGV[o + 3]))
end
local t, u, k = load(KEYS[1])
local known = 0
if k > now then known = 1 end
local wait, blocked = 0, 0
if ARGV[7] == '0' and u > now then wait = u - now; blocked = tonumber(ARGV[9]) end
local interval = tonumber(ARGV[3])
local ceiling = tonumber(ARGV[8])
if ceiling > 0 then
  local over = math.max(t, now) + interval - now - ceiling * interval
  if over > 0 then wait = math.max(wait, over); blocked = blocked + 8 end
end
if blocked > 0 or ARGV[6] == '0' then return {0, now, wait, blocked, known, 0, u} end
t = math.max(t, now) + interval
local level = math.ceil((t - now) / interval)
local nu = u
if level >= tonumber(ARGV[2]) then nu = math.max(u, now + lockout(level, 2)) end
save(KEYS[1], t, nu, k)
if nu == u then nu = 0 end
return {1, now, 0, 0, known, nu, u}
"""
)

# Undo one charge (a refused attempt's rollback, or a success's refund). KEYS: one counter.
# ARGV: now, interval, the lockout end the charge set (0: none), the lockout end before it.
_KEY_REFUND = (
    _PRELUDE
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local t, u, k = load(KEYS[1])
t = math.max(t - tonumber(ARGV[2]), now)
if tonumber(ARGV[3]) > 0 and u == tonumber(ARGV[3]) then u = tonumber(ARGV[4]) end
save(KEYS[1], t, u, k)
return 1
"""
)

# A success's pair step. KEYS: the pair. ARGV: now, known_ttl.
_KEY_KNOWN = """
redis.call('DEL', KEYS[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if tonumber(ARGV[1]) >= 0 then now = tonumber(ARGV[1]) end
  redis.call('HSET', KEYS[1], 'k', string.format('%.0f', now + ttl))
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
end
return 1
"""


def _policy_args(policy: CompiledPolicy) -> list[int]:
    return [*policy.pair, *policy.account, *policy.ip, policy.ceiling_level]


class RedisLimiterStore(RedisBacked):
    """A :class:`~sentinel.ratelimit.LimiterStore` on Redis (``pip install 'sentinel-asgi[redis]'``).

    Pass a URL, or ``client=`` an existing ``redis.asyncio.Redis`` (``decode_responses=True``, with
    its own timeouts). ``prefix`` namespaces the keys; keys hold only HMACs, never a username or IP.
    """

    name = "redis"
    shared = True

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        prefix: str = "sentinel:",
        timeouts: RedisTimeouts | None = None,
        breaker: CircuitBreaker | None = None,
        max_connections: int = 64,
        server_time: bool = True,
    ) -> None:
        super().__init__(
            url, client=client, timeouts=timeouts, breaker=breaker,
            breaker_name="redis rate-limit store", max_connections=max_connections,
        )  # fmt: skip
        self._prefix = f"{prefix}rl:"
        self._server_time = server_time
        self._attempt = self.redis.register_script(_ATTEMPT)
        self._succeed = self.redis.register_script(_SUCCEED)
        self._throttle = self.redis.register_script(_THROTTLE)
        self._key_attempt = self.redis.register_script(_KEY_ATTEMPT)
        self._key_refund = self.redis.register_script(_KEY_REFUND)
        self._key_known = self.redis.register_script(_KEY_KNOWN)

    def _keys(self, keys: AttemptKeys) -> list[str]:
        p = self._prefix
        names = [f"{p}p:{keys.pair}", f"{p}a:{keys.account}", f"{p}i:{keys.ip}"]
        if keys.spelling is not None:
            names.append(f"{p}a:{keys.spelling}")
        return names

    def _now(self, now: int) -> int:
        return -1 if self._server_time else now

    async def attempt(self, keys: AttemptKeys, policy: CompiledPolicy, now: int) -> Verdict:
        if self.cluster:
            return await self.call(lambda: self._attempt_per_key(keys, policy, now))
        args = [self._now(now), *_policy_args(policy)]
        names = self._keys(keys)
        reply: list[int] = await self.call(lambda: self._attempt(keys=names, args=args))
        allowed, at, wait, blocked, known = (int(x) for x in reply[:5])
        if not allowed:
            return Verdict(allowed=False, now=at, wait=wait, blocked=blocked, known=bool(known))
        pn, po, an, ao, ipn, ipo, sn, so = (int(x) for x in reply[5:13])
        charge = Charge(
            pair_new=pn, pair_old=po, account_new=an, account_old=ao, ip_new=ipn, ip_old=ipo,
            spelling_new=sn, spelling_old=so,
        )  # fmt: skip
        return Verdict(allowed=True, now=at, known=bool(known), charge=charge)

    async def _attempt_per_key(self, keys: AttemptKeys, policy: CompiledPolicy, now: int) -> Verdict:
        """The attempt as one atomic check-and-charge per key, for Redis Cluster.

        Why it never admits more than a limit allows, whatever the concurrency: an attempt is admitted
        only if *every* key's script admitted and charged it, and each key's script is atomic, so each
        counter alone admits at most what the single-script store would. Rolling back (refunding the
        keys charged before a refusal) can only make a counter *stricter* for the moment between the
        charge and the refund, never looser. Why the fixed order pair, IP, account, spelling: a key is
        charged only by attempts every earlier key admitted, so when many attempts share their keys
        the tightest key decides and later keys never refuse what it admitted (no refund, so exactly
        the limit is admitted), and an attacker whose own pair or IP is locked never touches the
        victim's account counter (no lockout by transient charges). Costs one round trip per key.
        """
        base = self._now(now)
        pair_key, account_key, ip_key, *spelling = self._keys(keys)

        def args(limit: CompiledLimit, *, charge: bool, exempt: bool, ceiling: int, bit: int) -> list[int]:
            return [base, *limit, int(charge), int(exempt), ceiling, bit]

        first = await self._key_attempt(
            keys=[pair_key], args=args(policy.pair, charge=True, exempt=False, ceiling=0, bit=1)
        )
        known = bool(int(first[4]))
        steps: list[tuple[str, CompiledLimit, int, int, bool]] = [
            (ip_key, policy.ip, 0, 4, False),
            (account_key, policy.account, policy.ceiling_level, 2, known),
        ]
        if spelling:
            steps.append((spelling[0], policy.account, 0, 2, known))
        replies = [[int(x) for x in first]]
        charged: list[tuple[str, int, list[int]]] = []
        if replies[0][0]:
            charged.append((pair_key, policy.pair.interval_ms, replies[0]))
        refused = not replies[0][0]
        pending = steps
        if not refused:
            pending = []
            for position, (name, limit, ceiling, bit, exempt) in enumerate(steps):
                reply = [int(x) for x in await self._key_attempt(
                    keys=[name], args=args(limit, charge=True, exempt=exempt, ceiling=ceiling, bit=bit)
                )]  # fmt: skip
                replies.append(reply)
                if not reply[0]:
                    pending = steps[position + 1 :]
                    refused = True
                    break
                charged.append((name, limit.interval_ms, reply))
        if not refused:
            by_key = [r[5:7] for r in replies]
            (pn, po), (ipn, ipo), (an, ao) = by_key[:3]
            sn, so = by_key[3] if spelling else (0, 0)
            charge = Charge(
                pair_new=pn, pair_old=po, account_new=an, account_old=ao, ip_new=ipn, ip_old=ipo,
                spelling_new=sn, spelling_old=so,
            )  # fmt: skip
            return Verdict(allowed=True, now=replies[0][1], known=known, charge=charge)
        # Refused: undo the charges already made, and ask the keys not yet asked only whether they
        # would block too, so the verdict names every limit at work (as the one-script store does).
        undo = [
            self._key_refund(keys=[name], args=[base, interval, r[5], r[6]]) for name, interval, r in charged
        ]
        ask = [
            self._key_attempt(
                keys=[name], args=args(limit, charge=False, exempt=exempt, ceiling=ceiling, bit=bit)
            )
            for name, limit, ceiling, bit, exempt in pending
        ]
        results = await asyncio.gather(*undo, *ask)
        every = replies + [[int(x) for x in c] for c in results[len(undo) :]]
        wait = max(r[2] for r in every)
        blocked = 0
        for r in every:
            blocked |= r[3]
        return Verdict(allowed=False, now=replies[0][1], wait=wait, blocked=blocked, known=known)

    async def _succeed_per_key(
        self, keys: AttemptKeys, charge: Charge, policy: CompiledPolicy, now: int
    ) -> None:
        base = self._now(now)
        pair_key, account_key, ip_key, *spelling = self._keys(keys)
        steps = [
            self._key_known(keys=[pair_key], args=[base, policy.known_ttl_ms]),
            self._key_refund(
                keys=[account_key],
                args=[base, policy.account.interval_ms, charge.account_new, charge.account_old],
            ),
            self._key_refund(keys=[ip_key], args=[base, policy.ip.interval_ms, charge.ip_new, charge.ip_old]),
        ]
        if spelling:
            steps.append(
                self._key_refund(
                    keys=[spelling[0]],
                    args=[base, policy.account.interval_ms, charge.spelling_new, charge.spelling_old],
                )
            )
        await asyncio.gather(*steps)

    async def succeed(self, keys: AttemptKeys, charge: Charge, policy: CompiledPolicy, now: int) -> None:
        if self.cluster:
            await self.call(lambda: self._succeed_per_key(keys, charge, policy, now))
            return
        args = [
            self._now(now),
            policy.known_ttl_ms,
            policy.account.interval_ms,
            charge.account_new,
            charge.account_old,
            policy.ip.interval_ms,
            charge.ip_new,
            charge.ip_old,
            charge.spelling_new,
            charge.spelling_old,
        ]
        names = self._keys(keys)
        await self.call(lambda: self._succeed(keys=names, args=args))

    async def throttle(self, key: str, burst: int, interval: int, now: int) -> Verdict:
        args = [self._now(now), burst, interval]
        name = f"{self._prefix}t:{key}"
        reply: list[int] = await self.call(lambda: self._throttle(keys=[name], args=args))
        allowed, at, wait = (int(x) for x in reply)
        return Verdict(allowed=bool(allowed), now=at, wait=wait, blocked=0 if allowed else BLOCKED_IP)


__all__ = ["RedisLimiterStore"]
