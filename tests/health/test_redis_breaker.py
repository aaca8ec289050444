"""The health endpoint shows a RedisStore's breaker opening when its Redis dies (a private redis-server)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware

import sentinel
from sentinel.breaker import CircuitBreaker
from sentinel.health import HealthMiddleware, HealthReporter, HealthSettings
from sentinel.redis_client import RedisTimeouts
from tests.support.redis_server import private_redis

TOKEN = "operator-token-0123456789-abcdefghijklmnopqrstuvwxyz"
FAST = RedisTimeouts(connect=0.2, socket=0.2, pool_wait=0.2, operation=0.3)


async def test_breaker_state_of_a_redis_store_is_reported() -> None:
    with private_redis() as server:
        store = sentinel.RedisStore(
            server.url,
            prefix="health-test:",
            timeouts=FAST,
            breaker=CircuitBreaker("redis session store", failure_threshold=2, reset_timeout=60),
        )
        app = Starlette(
            middleware=[
                Middleware(
                    HealthMiddleware, settings=HealthSettings(tokens=(TOKEN,)), checks={"sessions": store}
                )
            ]
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = {"authorization": f"Bearer {TOKEN}"}
            await store.create("k", "v", ttl=60, user_id=None)
            healthy = (await client.get("/healthz", headers=headers)).json()
            assert healthy["status"] == "ok"
            assert healthy["checks"]["sessions"]["breaker"] == "closed"
            assert healthy["checks"]["sessions"]["ok"] is True

            server.kill()
            for _ in range(2):
                with pytest.raises(sentinel.StoreUnavailable):
                    await store.load("k")
            sick = (await client.get("/healthz", headers=headers)).json()
            assert sick["status"] == "degraded"
            assert sick["checks"]["sessions"] == {
                "backend": "redis", "url": server.url, "breaker": "open", "ok": False,
            }  # fmt: skip
        await store.aclose()


async def test_store_urls_with_passwords_never_reach_the_document() -> None:
    store = sentinel.RedisStore("redis://app:s3cret-pass@127.0.0.1:1/0")  # never connected to
    reporter = HealthReporter(HealthSettings(tokens=(TOKEN,)), checks=[store])
    _, doc = await reporter.report()
    assert "s3cret-pass" not in str(doc)
    assert doc["checks"]["RedisStore"]["url"] == "redis://app:***@127.0.0.1:1/0"
    await store.aclose()
