"""Issue #12, item 4: a full in-memory limiter must not lock out everyone.

The attack: an attacker owns one account and logs in to it successfully from 100,000 IPv6 /64s;
each success leaves a 30-day "known source" entry, which filled the default ``AuthLimiter``'s
100,000 entries. Six failed logins on new pairs then locked the one overflow counter that every new
key was charged to, and alice, bob and carol, from addresses never seen before, got 429. Now known
sources live in their own capped table and a new key always gets a counter of its own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest
import redis

import sentinel
from sentinel.auth import Authenticator
from sentinel.ratelimit import DEFAULT_MAX_ENTRIES, PAIR_DEFAULT, RedisLimiterStore
from tests.hostile._login_server import Users, cheap_hasher, client_from, login_app, serving
from tests.support.redis_server import PrivateRedis, private_redis

pytestmark = [pytest.mark.hostile, pytest.mark.e2e]

PASSWORDS = {name: f"{name}'s own long passphrase" for name in ("alice", "bob", "carol", "mallory")}


async def test_a_store_filled_with_known_sources_still_lets_new_people_log_in() -> None:
    hasher = cheap_hasher()
    users = Users({name: hasher.hash(password) for name, password in PASSWORDS.items()})
    limiter = sentinel.AuthLimiter()  # the default: in-process, 100,000 entries
    auth = Authenticator(hasher=hasher, limiter=limiter, lookup=users.lookup, save_hash=users.save_hash)
    mallory_id = (await users.lookup("mallory")).user_id  # type: ignore[union-attr]

    # Mallory's successful logins from 100,000 /64s, through the limiter's own API (what each of
    # his logins leaves behind; over HTTP it would take hours, the state is the same).
    first = int(ipaddress.IPv6Address("2001:db8::"))
    for i in range(DEFAULT_MAX_ENTRIES):
        address = ipaddress.IPv6Address(first + (i << 64))
        decision = await limiter.check(account="mallory", client_ip=address, user_id=mallory_id)
        assert decision.allowed
        await limiter.record_success(decision)

    async with serving(login_app(auth)) as base:
        # Six failures on new pairs from one more address.
        async with client_from(base, "127.0.0.2") as post:
            failures = [
                (await post(f"nobody-{i}", "guess")).status_code for i in range(PAIR_DEFAULT.free + 1)
            ]
        # alice, bob and carol, each from an address the limiter has never seen.
        logins = {}
        for name, address in (("alice", "127.0.0.3"), ("bob", "127.0.0.4"), ("carol", "127.0.0.5")):
            async with client_from(base, address) as post:
                response = await post(name, PASSWORDS[name])
            logins[name] = (response.status_code, response.json())
    assert logins == {name: (200, {"user": f"id-{name}"}) for name in ("alice", "bob", "carol")}
    assert failures == [401] * (PAIR_DEFAULT.free + 1)  # each new pair had a budget of its own
    health = await limiter.health()
    assert health["store"]["entries"] <= DEFAULT_MAX_ENTRIES
    assert health["store"]["known_sources"] <= DEFAULT_MAX_ENTRIES
    hasher.close()


@pytest.fixture
def capped_redis() -> Iterator[PrivateRedis]:
    """A redis-server of our own, to cap with ``maxmemory``."""
    with private_redis() as server:
        yield server


@pytest.mark.redis
@pytest.mark.parametrize("policy", ["noeviction", "volatile-lru"])
async def test_a_full_redis_keeps_limiting_and_lets_new_people_in(
    capped_redis: PrivateRedis, policy: str
) -> None:
    """The same flood against a Redis capped by ``maxmemory``: with ``noeviction`` the writes fail
    and the limiter answers from its bounded in-process fallback; with ``volatile-lru`` Redis evicts
    the least recently used keys (every limiter key has a TTL). Either way new people log in and
    new failures are still limited."""
    admin = redis.Redis.from_url(capped_redis.url, socket_timeout=2)
    store = RedisLimiterStore(capped_redis.url, prefix="flood:")
    limiter = sentinel.AuthLimiter(store=store, key="flood-test-key-" + "f" * 40)
    await limiter.record_success(await limiter.check(account="warm-up", client_ip="192.0.2.99"))
    used = int(admin.info("memory")["used_memory"])
    admin.config_set("maxmemory", used + 256 * 1024)
    admin.config_set("maxmemory-policy", policy)
    first = int(ipaddress.IPv6Address("2001:db8::"))
    backends = set()
    flood = 0
    for flood in range(1, 10_001):  # ~136 bytes of Redis memory per known source: 256 KiB is ~2,000
        decision = await limiter.check(
            account="mallory", client_ip=ipaddress.IPv6Address(first + (flood << 64))
        )
        await limiter.record_success(decision)
        backends.add(decision.backend)
        if flood % 250 == 0 and ("memory (fallback)" in backends or int(admin.info("stats")["evicted_keys"])):
            break
    assert flood >= 1000  # hundreds of KiB of known sources were written before the cap bit
    if policy == "noeviction":
        assert "memory (fallback)" in backends
    else:
        assert backends == {"redis"} and int(admin.info("stats")["evicted_keys"]) > 0
    new_pairs = [await limiter.check(account=f"nobody-{i}", client_ip="198.51.100.9") for i in range(6)]
    for decision in new_pairs[:-1]:
        await limiter.record_failure(decision)
    assert [d.allowed for d in new_pairs] == [True] * 6
    for name, address in (("alice", "192.0.2.3"), ("bob", "192.0.2.4"), ("carol", "192.0.2.5")):
        decision = await limiter.check(account=name, client_ip=address, user_id=f"id-{name}")
        assert decision.allowed, name
        await limiter.record_success(decision)
    await limiter.aclose()
    admin.close()
