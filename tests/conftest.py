"""Fixtures shared by every test module."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.support.services import REDIS_URL, redis_ping, unavailable


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis used by tests; skipped (or failed under CI) when it does not answer."""
    problem = redis_ping(REDIS_URL)
    if problem:
        unavailable(problem)
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix unique to one test, so tests never see each other's keys."""
    return f"sentinel-test:{uuid.uuid4().hex}:"


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[object]:
    """A raw redis.asyncio client for assertions about what is (not) stored."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=2)
    yield client
    await client.aclose()
