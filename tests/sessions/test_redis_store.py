"""RedisStore against real redis-server processes: round trips, script cache loss, outages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import redis

from sentinel.errors import StoreUnavailable
from sentinel.sessions import RedisStore
from tests.sessions.conftest import Clock, asgi_client, build_app, cookie_of
from tests.support.redis_server import PrivateRedis, private_redis

pytestmark = pytest.mark.redis


@pytest.fixture
def server() -> Iterator[PrivateRedis]:
    with private_redis() as srv:
        yield srv


@pytest.fixture
async def store(server: PrivateRedis) -> AsyncIterator[RedisStore]:
    s = RedisStore(server.url)
    yield s
    await s.aclose()


class CommandStats:
    """Counts the commands a server runs, over one connection opened up front (so its own
    handshake is never counted)."""

    def __init__(self, server: PrivateRedis) -> None:
        self.client = redis.Redis(port=server.port, socket_timeout=2, single_connection_client=True)
        self.client.ping()

    def reset(self) -> None:
        self.client.config_resetstat()

    def calls(self) -> dict[str, int]:
        stats = self.client.info("commandstats")
        calls = {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
        return {k: v for k, v in calls.items() if k not in ("info", "config|resetstat")}


async def test_read_only_request_costs_exactly_one_round_trip(
    server: PrivateRedis, store: RedisStore
) -> None:
    clock = Clock(now=time.time())
    stats = CommandStats(server)
    async with asgi_client(build_app(store, clock)) as client:
        cookie = cookie_of(await client.post("/write", params={"a": "1"}))
        headers = {"cookie": f"__Host-sid={cookie}"}
        assert (await client.get("/read", headers=headers)).json()["data"] == {"a": "1"}  # warm
        stats.reset()
        response = await client.get("/read", headers=headers)
        assert response.json()["data"] == {"a": "1"}
        assert stats.calls() == {"get": 1}
        await client.post("/write", headers=headers, params={"b": "1"})  # loads the update script
        stats.reset()
        await client.post("/write", headers=headers, params={"b": "2"})
        calls = stats.calls()
        # One GET to load, one EVALSHA to save; commandstats also counts the script's inner calls.
        assert calls["evalsha"] == 1
        assert calls["get"] == 2  # the load, and the script's own update-only check
        assert set(calls) <= {"get", "evalsha", "set", "pttl"}
    stats.client.close()


async def test_scripts_survive_a_script_cache_flush(server: PrivateRedis, store: RedisStore) -> None:
    assert await store.create("k", "v", ttl=60, user_id="u")
    client = redis.Redis(port=server.port, socket_timeout=2)
    try:
        client.script_flush()  # what a Redis restart does to the script cache
    finally:
        client.close()
    assert await store.update("k", "v2", ttl=60, user_id="u")
    assert await store.rotate("k", "k2", "v3", ttl=60, old_user_id="u", user_id="u", grace=5)
    assert await store.load("k2") == "v3"


async def test_stalled_redis_fails_fast_and_the_breaker_recovers(server: PrivateRedis) -> None:
    store = RedisStore(server.url)
    store.breaker.reset_timeout = 0.5
    try:
        assert await store.create("k", "v", ttl=60, user_id=None)
        server.pause()  # SIGSTOP: connections hang rather than fail
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                await store.load("k")
            assert time.monotonic() - started < 2.0  # bounded by the operation timeout, not forever
        assert store.breaker.state == "open"
        with pytest.raises(StoreUnavailable) as info:
            await store.load("k")  # open: refused without touching the network
        assert info.value.retry_after >= 1
        server.resume()
        await asyncio.sleep(0.6)
        deadline = time.monotonic() + 5
        while True:
            try:
                assert await store.load("k") == "v"
                break
            except StoreUnavailable:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        assert store.breaker.state == "closed"
    finally:
        await store.aclose()


async def test_killed_redis_gives_503_not_a_hang(server: PrivateRedis) -> None:
    store = RedisStore(server.url)
    try:
        clock = Clock(now=time.time())
        async with asgi_client(build_app(store, clock)) as client:
            cookie = cookie_of(await client.post("/login"))
            headers = {"cookie": f"__Host-sid={cookie}"}
            assert (await client.get("/read", headers=headers)).json()["user"] == "alice"
            server.kill()
            response = await client.get("/read", headers=headers)
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            response = await client.post("/write", params={"a": "1"})  # a new session cannot be saved
            assert response.status_code == 503
            assert cookie_of(response) is None  # the app's 200 was replaced, not half-sent
    finally:
        await store.aclose()
