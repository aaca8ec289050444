"""New sessions are charged per client; a full MemoryStore keeps room for logins; logged-in
responses are private. In process through Starlette; the same attacks over real HTTP are in
``tests/hostile/``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.ratelimit import RedisLimiterStore, TrustedProxies
from sentinel.ratelimit.policy import Rate
from sentinel.sessions import MemoryStore, NewSessionBudget, RedisStore, SessionStore, TooManyNewSessions
from tests.sessions.conftest import KEY, Clock, cookie_of, no_cookie_jar


def shop(store: SessionStore, **options: Any) -> Starlette:
    async def cart(request: Request) -> Response:
        request.session["cart"] = 1
        return JSONResponse({"ok": True})

    async def login(request: Request) -> Response:
        await sentinel.login(request, request.query_params.get("user", "alice"))
        return JSONResponse({"logged_in": True})

    async def page(request: Request) -> Response:
        headers = dict(request.query_params)
        return JSONResponse({"user": sentinel.get_session(request).user_id}, headers=headers)

    async def logout(request: Request) -> Response:
        await sentinel.logout(request)
        return JSONResponse({"logged_out": True})

    routes = [
        Route("/logout", logout, methods=["POST"]),
        Route("/cart", cart, methods=["POST"]),
        Route("/login", login, methods=["POST"]),
        Route("/page", page),
    ]
    mw = Middleware(sentinel.SessionMiddleware, secret_keys=[KEY], store=store, **options)
    return Starlette(routes=routes, middleware=[mw])


def client(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver", cookies=no_cookie_jar())


def is_429(response: httpx.Response) -> bool:
    return (
        response.status_code == 429
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["type"] == "urn:sentinel:problem:session-rate-limited"
        and int(response.headers["retry-after"]) >= 1
        and cookie_of(response) is None
    )


class TestMemoryBudget:
    opened: list[Any]

    @pytest.fixture(autouse=True)
    async def _close(self) -> AsyncIterator[None]:
        self.opened = []
        yield
        for thing in self.opened:
            await thing.aclose()

    def store(self) -> SessionStore:
        return MemoryStore()

    def budget(self, store: SessionStore, clock: Clock, **kw: Any) -> NewSessionBudget:
        return NewSessionBudget(rate=Rate(limit=5, period=60), clock=clock, **kw)

    async def test_one_client_is_refused_past_its_budget_and_others_are_not(self) -> None:
        clock = Clock()
        app = shop(self.store(), budget=self.budget(self.store(), clock), clock=clock)
        async with client(app, "192.0.2.1") as flooder, client(app, "192.0.2.2") as other:
            statuses = [(await flooder.post("/cart")).status_code for _ in range(5)]
            assert statuses == [200] * 5
            assert is_429(await flooder.post("/cart"))
            # The same client's login is a new session too: refused, and as a 429, not a 500,
            # although Starlette turns the exception into its own 500 on the way out.
            assert is_429(await flooder.post("/login"))
            login = await other.post("/login")
            assert login.status_code == 200 and cookie_of(login)
            clock.advance(12.5)  # one place refills every 12 s
            assert (await flooder.post("/cart")).status_code == 200

    async def test_an_ipv6_customer_is_counted_per_64(self) -> None:
        clock = Clock()
        app = shop(self.store(), budget=self.budget(self.store(), clock), clock=clock)
        for host in range(5):
            async with client(app, f"2001:db8:1:2::{host + 1}") as c:
                assert (await c.post("/cart")).status_code == 200
        async with client(app, "2001:db8:1:2:ffff::9") as c:
            assert is_429(await c.post("/cart"))
        async with client(app, "2001:db8:1:3::1") as c:
            assert (await c.post("/cart")).status_code == 200

    async def test_trusted_proxies_name_the_client(self) -> None:
        clock = Clock()
        proxies = TrustedProxies(["10.0.0.0/8"])
        app = shop(self.store(), budget=self.budget(self.store(), clock, proxies=proxies), clock=clock)
        async with client(app, "10.0.0.5") as lb:
            for n in range(5):
                assert (
                    await lb.post("/cart", headers={"x-forwarded-for": "198.51.100.1"})
                ).status_code == 200, n
            assert is_429(await lb.post("/cart", headers={"x-forwarded-for": "198.51.100.1"}))
            assert (await lb.post("/cart", headers={"x-forwarded-for": "198.51.100.2"})).status_code == 200

    async def test_reads_updates_and_rotations_are_never_charged(self) -> None:
        clock = Clock()
        app = shop(self.store(), budget=self.budget(self.store(), clock), clock=clock)
        async with client(app, "192.0.2.1") as c:
            cookie = cookie_of(await c.post("/cart"))
            assert cookie
            for _ in range(10):
                sent = {"cookie": f"__Host-sid={cookie}"}
                assert (await c.post("/cart", headers=sent)).status_code == 200
                assert (await c.get("/page", headers=sent)).status_code == 200
            login = await c.post("/login", headers={"cookie": f"__Host-sid={cookie}"})  # a rotation
            assert login.status_code == 200


@pytest.mark.redis
class TestRedisBudget(TestMemoryBudget):
    @pytest.fixture(autouse=True)
    def _redis(self, redis_url: str, redis_prefix: str) -> None:
        self.url, self.prefix = redis_url, redis_prefix

    def store(self) -> SessionStore:
        store = RedisStore(self.url, prefix=self.prefix)
        self.opened.append(store)
        return store

    def budget(self, store: SessionStore, clock: Clock, **kw: Any) -> NewSessionBudget:
        # The test moves its own clock, so Redis must use it rather than its server time.
        counters = RedisLimiterStore(self.url, prefix=self.prefix, server_time=False)
        self.opened.append(counters)
        return NewSessionBudget(rate=Rate(limit=5, period=60), store=counters, key=KEY, clock=clock, **kw)


@pytest.mark.redis
async def test_the_default_budget_of_a_redis_store_is_shared_through_redis(
    redis_url: str, redis_prefix: str
) -> None:
    stores = [RedisStore(redis_url, prefix=redis_prefix) for _ in range(2)]  # two processes, one Redis
    async with client(shop(stores[0]), "192.0.2.7") as a, client(shop(stores[1]), "192.0.2.7") as b:
        statuses = [(await (a if n % 2 else b).post("/cart")).status_code for n in range(40)]
    for store in stores:
        await store.aclose()
    assert 30 <= statuses.count(200) <= 32 and statuses[-1] == 429  # one budget across both


def test_a_shared_budget_store_needs_a_key_and_turning_it_off_warns(redis_url: str) -> None:
    with pytest.raises(ConfigurationError):
        NewSessionBudget(store=RedisLimiterStore(redis_url, max_connections=1))
    with pytest.warns(SentinelUnsafeWarning):
        sentinel.SessionMiddleware(shop(MemoryStore()), secret_keys=[KEY], budget=None)
    with pytest.raises(TooManyNewSessions):
        raise TooManyNewSessions(3)


async def test_a_full_memory_store_keeps_room_for_logins() -> None:
    store = MemoryStore(max_sessions=20)  # 2 places reserved for logins
    app = shop(store, budget=NewSessionBudget(rate=Rate(limit=1000, period=60)))
    async with client(app, "192.0.2.1") as c:
        statuses = [(await c.post("/cart")).status_code for _ in range(20)]
        assert statuses == [200] * 18 + [503, 503]
        assert len(store) == 18
        for user in ("alice", "bob"):
            login = await c.post("/login", params={"user": user})
            assert login.status_code == 200, login.text
        assert (await c.post("/login", params={"user": "carol"})).status_code == 503  # truly full
    assert store.login_reserve == 2
    with pytest.raises(ValueError, match="login_reserve"):
        MemoryStore(max_sessions=10, login_reserve=10)


async def test_logged_in_responses_are_private_and_vary_on_the_cookie() -> None:
    app = shop(MemoryStore())
    async with client(app, "192.0.2.1") as c:
        anonymous = await c.get("/page")
        assert "cache-control" not in anonymous.headers and "vary" not in anonymous.headers
        cookie = cookie_of(await c.post("/login"))
        sent = {"cookie": f"__Host-sid={cookie}"}

        async def page(**headers: str) -> httpx.Response:
            response = await c.get("/page", params=headers, headers=sent)
            assert response.json() == {"user": "alice"}
            return response

        plain = await page()
        assert plain.headers["cache-control"] == "private, no-store"
        assert plain.headers["vary"] == "Cookie"
        public = await page(**{"cache-control": "public, max-age=600", "vary": "Accept-Encoding"})
        assert public.headers.get_list("cache-control") == ["private, no-store"]  # replaced
        assert public.headers["vary"] == "Accept-Encoding, Cookie"  # merged
        own = await page(**{"cache-control": "private, max-age=60"})
        assert own.headers.get_list("cache-control") == ["private, max-age=60"]  # the app's own choice
        no_store = await page(**{"cache-control": "no-store"})
        assert no_store.headers.get_list("cache-control") == ["no-store"]
        lookalike = await page(**{"cache-control": "max-age=60, x-private-ish"})
        assert lookalike.headers.get_list("cache-control") == ["private, no-store"]
        assert "clear-site-data" not in lookalike.headers
        logout = await c.post("/logout", headers=sent)
        assert logout.headers["cache-control"] == "private, no-store"
        assert logout.headers["clear-site-data"] == '"cache"'  # and the back/forward cache with it
        assert "clear-site-data" not in (await c.post("/logout")).headers  # nobody was logged in
