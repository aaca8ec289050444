"""The limiter through a real ASGI stack (Starlette + httpx.ASGITransport): the 429 answer, the
spoofed-X-Forwarded-For attack, and the general per-client middleware with its failure policies."""

from __future__ import annotations

import hmac
import json
import warnings
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sentinel.errors import ConfigurationError
from sentinel.problem import send_problem
from sentinel.ratelimit import (
    PAIR_DEFAULT,
    AuthLimiter,
    Rate,
    RateLimited,
    RateLimitMiddleware,
    RedisLimiterStore,
    TrustedProxies,
)
from sentinel.sessions import SentinelUnsafeWarning
from sentinel.types import Receive, Scope, Send
from tests.ratelimit.conftest import KEY, Clock
from tests.support.servers import free_port

PASSWORD = "correct horse battery staple"
ATTACKER = ("203.0.113.66", 40000)
OUR_PROXY = ("10.0.0.2", 40000)


def login_app(limiter: AuthLimiter) -> Starlette:
    async def login(request: Request) -> Response:
        form = await request.json()
        decision = await limiter.check(account=form["username"], scope=request.scope)
        if not decision.allowed:
            return decision.response()
        if hmac.compare_digest(form["password"].encode(), PASSWORD.encode()):
            await limiter.record_success(decision)
            return JSONResponse({"ok": True})
        await limiter.record_failure(decision)
        return JSONResponse({"ok": False}, status_code=401)

    return Starlette(routes=[Route("/login", login, methods=["POST"])])


def client_for(app: object, peer: tuple[str, int] = ATTACKER) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=peer)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


async def attempt(client: httpx.AsyncClient, password: str = "wrong", **headers: str) -> httpx.Response:  # noqa: S107
    return await client.post("/login", json={"username": "alice", "password": password}, headers=headers)


async def test_refusal_is_a_429_problem_with_retry_after(clock: Clock) -> None:
    limiter = AuthLimiter(key=KEY, clock=clock)
    async with client_for(login_app(limiter)) as client:
        statuses = [(await attempt(client)).status_code for _ in range(PAIR_DEFAULT.free)]
        assert statuses == [401] * PAIR_DEFAULT.free
        refused = await attempt(client, PASSWORD)  # even the right password is not checked now
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["cache-control"] == "no-store"
        body = refused.json()
        assert body["type"] == "urn:sentinel:problem:too-many-attempts"
        assert body["status"] == 429 and body["title"] == "Too many attempts"
        assert "1 s" in body["detail"]
        assert not any(word in refused.text for word in ("pair", "account", "ip"))  # no hint which
        clock.advance(int(refused.headers["retry-after"]))
        assert (await attempt(client, PASSWORD)).status_code == 200  # Retry-After was honest


async def test_spoofed_x_forwarded_for_does_not_buy_more_attempts(clock: Clock) -> None:
    """Attack: a direct client rotates X-Forwarded-For to look like a new IP on every request."""
    limiter = AuthLimiter(key=KEY, clock=clock, proxies=TrustedProxies(["10.0.0.0/8"]))
    async with client_for(login_app(limiter)) as client:
        statuses = [
            (await attempt(client, **{"X-Forwarded-For": f"198.51.100.{i}"})).status_code for i in range(20)
        ]
    assert statuses == [401] * PAIR_DEFAULT.free + [429] * (20 - PAIR_DEFAULT.free)


async def test_behind_our_proxy_clients_are_told_apart_and_spoofing_fails(clock: Clock) -> None:
    limiter = AuthLimiter(key=KEY, clock=clock, proxies=TrustedProxies(["10.0.0.0/8"]))
    async with client_for(login_app(limiter), OUR_PROXY) as via_proxy:
        # The attacker writes his own X-Forwarded-For; our proxy appends the peer it really saw.
        forged = [
            (await attempt(via_proxy, **{"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.66"})).status_code
            for i in range(PAIR_DEFAULT.free + 2)
        ]
        assert forged == [401] * PAIR_DEFAULT.free + [429, 429]
        # alice, a different client behind the same proxy, is not affected.
        home = await attempt(via_proxy, PASSWORD, **{"X-Forwarded-For": "192.0.2.44"})
        assert home.status_code == 200


async def test_raw_asgi_and_exception_paths_send_the_same_problem(clock: Clock) -> None:
    limiter = AuthLimiter(key=KEY, clock=clock)

    async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            decision = await limiter.enforce(account="alice", scope=scope)
        except RateLimited as refused:
            await send_problem(send, refused.problem())
            return
        await limiter.record_failure(decision)
        await PlainTextResponse("no", status_code=401)(scope, receive, send)

    async with client_for(raw_app) as client:
        statuses = [(await client.post("/")).status_code for _ in range(PAIR_DEFAULT.free)]
        refused = await client.post("/")
    assert statuses == [401] * PAIR_DEFAULT.free
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert json.loads(refused.content)["type"] == "urn:sentinel:problem:too-many-attempts"


# -- RateLimitMiddleware -----------------------------------------------------------------------
async def _hello(request: Request) -> Response:
    return PlainTextResponse("hi")


def routed_app(**options: object) -> Starlette:
    routes = [Route("/api/items", _hello, methods=["GET", "POST"]), Route("/open", _hello)]
    return Starlette(routes=routes, middleware=[Middleware(RateLimitMiddleware, **options)])  # type: ignore[arg-type]


async def test_middleware_limits_chosen_paths_per_client(clock: Clock) -> None:
    app = routed_app(paths=["/api/*"], rate=Rate(limit=3, period=60), clock=clock)
    async with client_for(app) as client, client_for(app, ("192.0.2.1", 1)) as other:
        statuses = [(await client.get("/api/items")).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        refused = await client.get("/api/items")
        assert refused.headers["retry-after"] == "20"  # one request back every 60/3 s
        assert refused.json()["type"] == "urn:sentinel:problem:rate-limited"
        assert [(await client.get("/open")).status_code for _ in range(10)] == [200] * 10
        assert (await other.get("/api/items")).status_code == 200  # per client
        clock.advance(20)
        assert (await client.get("/api/items")).status_code == 200


async def test_middleware_methods_and_exact_paths(clock: Clock) -> None:
    app = routed_app(paths="/api/items", methods="post", rate=Rate(limit=1, period=60), clock=clock)
    async with client_for(app) as client:
        assert [(await client.post("/api/items")).status_code for _ in range(2)] == [200, 429]
        assert (await client.get("/api/items")).status_code == 200  # GET is not limited


@pytest.fixture
async def dead_redis() -> AsyncIterator[RedisLimiterStore]:
    store = RedisLimiterStore(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    yield store
    await store.aclose()


async def test_middleware_fail_closed_answers_503(dead_redis: RedisLimiterStore) -> None:
    app = routed_app(paths=["/api/*"], store=dead_redis, key=KEY, on_store_failure="closed")
    async with client_for(app) as client:
        answer = await client.get("/api/items")
        assert (await client.get("/open")).status_code == 200
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.json()["type"] == "urn:sentinel:problem:rate-limit-store-unavailable"


async def test_middleware_fallback_still_limits(dead_redis: RedisLimiterStore, clock: Clock) -> None:
    app = routed_app(paths=["/api/*"], store=dead_redis, key=KEY, rate=Rate(limit=2, period=60), clock=clock)
    async with client_for(app) as client:
        assert [(await client.get("/api/items")).status_code for _ in range(3)] == [200, 200, 429]


async def test_middleware_fail_open_must_be_asked_for_and_warns(dead_redis: RedisLimiterStore) -> None:
    with pytest.warns(SentinelUnsafeWarning, match="UNLIMITED"):
        app = RateLimitMiddleware(
            _hello_asgi, paths=["/api/*"], store=dead_redis, key=KEY, rate=Rate(limit=1, period=60),
            on_store_failure="open",
        )  # fmt: skip
    async with client_for(app) as client:
        assert [(await client.get("/api/items")).status_code for _ in range(3)] == [200, 200, 200]


async def _hello_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("hi")(scope, receive, send)


async def test_middleware_passes_other_scope_types() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    middleware = RateLimitMiddleware(app, paths=["/*"], rate=Rate(limit=1, period=60))

    async def receive() -> dict[str, object]:
        return {"type": "lifespan.startup"}

    async def send(message: object) -> None:
        return None

    for _ in range(3):
        await middleware({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"] * 3


def test_middleware_configuration_errors_are_reported_together() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ConfigurationError) as caught:
            RateLimitMiddleware(
                _hello_asgi, paths=["api"], rate=Rate(limit=0, period=0), on_store_failure="maybe",  # type: ignore[arg-type]
                store=RedisLimiterStore("redis://127.0.0.1:1/0"), ipv6_prefix=8,
            )  # fmt: skip
    assert len(caught.value.problems) == 6
