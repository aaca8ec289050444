"""One contract for every session store, re-run per backend by subclassing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from sentinel.sessions import MemoryStore, RedisStore, SessionStore
from sentinel.sessions.store import TOMBSTONE


class TestMemoryStore:
    """The contract, run against :class:`MemoryStore`; subclasses swap the store."""

    @pytest.fixture
    async def store(self) -> AsyncIterator[SessionStore]:
        yield MemoryStore()

    async def test_load_missing_is_none(self, store: SessionStore) -> None:
        assert await store.load("nope") is None

    async def test_create_is_insert_only(self, store: SessionStore) -> None:
        assert await store.create("k", "v1", ttl=60, user_id=None)
        assert not await store.create("k", "v2", ttl=60, user_id=None)
        assert await store.load("k") == "v1"

    async def test_update_is_update_only(self, store: SessionStore) -> None:
        assert not await store.update("ghost", "v", ttl=60)
        assert await store.load("ghost") is None
        await store.create("k", "v1", ttl=60, user_id=None)
        assert await store.update("k", "v2", ttl=60)
        assert await store.load("k") == "v2"

    async def test_rotate_moves_record_and_leaves_tombstone(self, store: SessionStore) -> None:
        await store.create("old", "v1", ttl=60, user_id="u1")
        ok = await store.rotate("old", "new", "v2", ttl=60, old_user_id="u1", user_id="u1", grace=5)
        assert ok
        assert await store.load("new") == "v2"
        assert await store.load("old") == TOMBSTONE

    async def test_tombstone_cannot_be_updated_back_to_life(self, store: SessionStore) -> None:
        await store.create("old", "v1", ttl=60, user_id=None)
        await store.rotate("old", "new", "v2", ttl=60, old_user_id=None, user_id=None, grace=5)
        assert not await store.update("old", "resurrected", ttl=60)
        assert await store.load("old") == TOMBSTONE

    async def test_rotate_refuses_when_old_is_gone(self, store: SessionStore) -> None:
        ok = await store.rotate("ghost", "new", "v", ttl=60, old_user_id=None, user_id="u", grace=5)
        assert not ok
        assert await store.load("new") is None

    async def test_rotate_refuses_twice(self, store: SessionStore) -> None:
        await store.create("old", "v1", ttl=60, user_id=None)
        assert await store.rotate("old", "a", "v", ttl=60, old_user_id=None, user_id=None, grace=5)
        assert not await store.rotate("old", "b", "v", ttl=60, old_user_id=None, user_id=None, grace=5)
        assert await store.load("b") is None

    async def test_delete(self, store: SessionStore) -> None:
        await store.create("k", "v", ttl=60, user_id="u")
        await store.delete("k", user_id="u")
        await store.delete("k", user_id="u")  # absent is not an error
        assert await store.load("k") is None
        assert await store.delete_user("u") == 0

    async def test_delete_user_ends_only_that_users_sessions(self, store: SessionStore) -> None:
        await store.create("a1", "v", ttl=60, user_id="alice")
        await store.create("a2", "v", ttl=60, user_id="alice")
        await store.create("b1", "v", ttl=60, user_id="bob")
        await store.create("anon", "v", ttl=60, user_id=None)
        assert await store.delete_user("alice") == 2
        assert await store.load("a1") is None and await store.load("a2") is None
        assert await store.load("b1") == "v" and await store.load("anon") == "v"

    async def test_rotation_moves_the_user_index(self, store: SessionStore) -> None:
        await store.create("anon", "v", ttl=60, user_id=None)
        await store.rotate("anon", "authed", "v", ttl=60, old_user_id=None, user_id="alice", grace=5)
        assert await store.delete_user("alice") == 1
        assert await store.load("authed") is None

    async def test_deleting_a_tombstone_ends_its_successor(self, store: SessionStore) -> None:
        await store.create("old", "v1", ttl=60, user_id="u")
        await store.rotate("old", "new", "v2", ttl=60, old_user_id="u", user_id="u", grace=5)
        await store.delete("old", user_id="u")  # a logout that opened "old" before the rotation
        assert await store.load("new") is None
        assert await store.load("old") is None

    async def test_ttl_expires_records(self, store: SessionStore) -> None:
        await store.create("short", "v", ttl=0.05, user_id=None)
        await asyncio.sleep(0.2)
        assert await store.load("short") is None
        assert not await store.update("short", "v2", ttl=60)

    async def test_health_names_backend(self, store: SessionStore) -> None:
        health = await store.health()
        assert health["backend"] in ("memory", "redis")


@pytest.mark.redis
class TestRedisStore(TestMemoryStore):
    """The same contract against the real Redis server."""

    @pytest.fixture
    async def store(self, redis_url: str, redis_prefix: str) -> AsyncIterator[SessionStore]:
        store = RedisStore(redis_url, prefix=redis_prefix)
        yield store
        await store.aclose()

    async def test_user_index_forgets_expired_sessions(self, store: SessionStore, redis_prefix: str) -> None:
        assert isinstance(store, RedisStore)
        for i in range(50):
            await store.create(f"short{i}", "v", ttl=0.05, user_id="busy")
        await asyncio.sleep(0.2)
        await store.create("live", "v", ttl=60, user_id="busy")
        assert await store.redis.zcard(f"{redis_prefix}u:busy") == 1  # pruned on the write
        assert await store.delete_user("busy") == 1
