"""SessionMiddleware through a real Starlette stack (httpx.ASGITransport)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from starlette.responses import Response

from sentinel.keys import Secret
from sentinel.sessions import MemoryStore
from sentinel.sessions.ids import CookieSigner, new_session_id, store_key
from tests.sessions.conftest import KEY, Clock, Harness, asgi_client, build_app, cookie_of

SID = "__Host-sid"


def raw_id(cookie: str) -> str:
    return cookie.split(".", 1)[0]


class CountingStore(MemoryStore):
    """A real MemoryStore that counts what the middleware asks of it."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.loads = 0
        self.writes = 0

    async def load(self, key: str) -> str | None:
        self.loads += 1
        return await super().load(key)

    async def update(self, key: str, value: str, *, ttl: float, user_id: str | None = None) -> bool:
        self.writes += 1
        return await super().update(key, value, ttl=ttl, user_id=user_id)


async def client_for(app: object) -> httpx.AsyncClient:
    return asgi_client(app)


# -- creation and cookies ------------------------------------------------------------------------
async def test_untouched_session_sets_no_cookie(harness: Harness) -> None:
    response = await harness.request("GET", "/untouched")
    assert response.headers.get_list("set-cookie") == []
    assert "vary" not in response.headers
    assert len(harness.store) == 0  # type: ignore[arg-type]


async def test_reading_an_empty_session_creates_nothing(harness: Harness) -> None:
    response = await harness.request("GET", "/read")
    assert response.json() == {"data": {}, "user": None}
    assert cookie_of(response) is None
    assert len(harness.store) == 0  # type: ignore[arg-type]


async def test_first_write_creates_session_with_strict_cookie(harness: Harness) -> None:
    response = await harness.request("POST", "/write", params={"a": "1"})
    (header,) = response.headers.get_list("set-cookie")
    name_value, *attributes = [part.strip() for part in header.split(";")]
    assert name_value.startswith(f"{SID}=")
    assert attributes == ["Path=/", "HttpOnly", "Secure", "SameSite=Lax"]  # no Max-Age, no Domain
    assert response.headers["cache-control"] == "private, no-store"
    assert "Cookie" in response.headers["vary"]
    value = name_value.split("=", 1)[1]
    assert len(raw_id(value)) == 43  # 256 bits, base64url
    assert await harness.store.load(raw_id(value)) is None  # stored under a hash, never the raw ID
    assert await harness.store.load(store_key(raw_id(value))) is not None


async def test_existing_session_is_read_without_set_cookie(harness: Harness) -> None:
    cookie = await harness.new_session(a="1")
    response = await harness.request("GET", "/read", cookie=cookie)
    assert response.json()["data"] == {"a": "1"}
    assert response.headers.get_list("set-cookie") == []
    response = await harness.request("POST", "/write", cookie=cookie, params={"b": "2"})
    assert response.headers.get_list("set-cookie") == []  # same ID: no cookie on every response
    response = await harness.request("GET", "/read", cookie=cookie)
    assert response.json()["data"] == {"a": "1", "b": "2"}


async def test_nested_mutation_is_persisted(harness: Harness) -> None:
    response = await harness.request("POST", "/append")
    cookie = cookie_of(response)
    assert cookie
    await harness.request("POST", "/mutate", cookie=cookie)
    response = await harness.request("GET", "/read", cookie=cookie)
    assert response.json()["data"] == {"items": [0, "x"]}


# -- never adopt -------------------------------------------------------------------------------
async def test_attacker_chosen_unsigned_id_is_not_adopted(harness: Harness) -> None:
    planted = new_session_id() + "." + "A" * 43
    response = await harness.request("POST", "/write", cookie=planted, params={"a": "1"})
    issued = cookie_of(response)
    assert issued and issued != planted
    assert raw_id(issued) != raw_id(planted)
    assert await harness.store.load(store_key(raw_id(planted))) is None


async def test_signed_but_unknown_id_is_not_adopted_and_cleared(harness: Harness) -> None:
    signed_unknown = CookieSigner([Secret(KEY)]).sign(new_session_id())
    response = await harness.request("GET", "/read", cookie=signed_unknown)
    assert response.json()["data"] == {}
    assert cookie_of(response) == ""  # cleared
    assert "Max-Age=0" in response.headers["set-cookie"]
    response = await harness.request("POST", "/write", cookie=signed_unknown, params={"a": "1"})
    assert raw_id(cookie_of(response) or "") != raw_id(signed_unknown)


async def test_forged_cookie_is_refused_without_a_store_lookup() -> None:
    store = CountingStore()
    app = build_app(store, Clock())
    good = CookieSigner([Secret(KEY)]).sign(new_session_id())
    forged = [
        good[:-1] + ("A" if good[-1] != "A" else "B"),  # tampered signature
        good[:-5],  # truncated
        raw_id(good),  # unsigned
        "../../etc/passwd",
        "x" * 4000,
        good + "extra",
    ]
    async with await client_for(app) as client:
        for value in forged:
            response = await client.get("/read", headers={"cookie": f"{SID}={value}"})
            assert response.json()["data"] == {}
            assert cookie_of(response) == ""
    assert store.loads == 0


async def test_cookie_signed_with_an_old_key_verifies_after_rotation() -> None:
    store, clock = MemoryStore(), Clock()
    old_key, new_key = "o" * 48, "n" * 48
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    import sentinel

    def app_with(keys: list[str]) -> Starlette:
        inner = build_app(store, clock)
        return Starlette(
            routes=inner.routes,
            middleware=[Middleware(sentinel.SessionMiddleware, secret_keys=keys, store=store, clock=clock)],
        )

    async with await client_for(app_with([old_key])) as client:
        cookie = cookie_of(await client.post("/write", params={"a": "1"}))
    async with await client_for(app_with([new_key, old_key])) as client:
        response = await client.get("/read", headers={"cookie": f"{SID}={cookie}"})
        assert response.json()["data"] == {"a": "1"}
        fresh = cookie_of(await client.post("/write", params={"b": "1"}))
    assert fresh and CookieSigner([Secret(new_key)]).unsign(fresh)  # new cookies use the newest key
    async with await client_for(app_with([new_key])) as client:
        response = await client.get("/read", headers={"cookie": f"{SID}={cookie}"})
        assert response.json()["data"] == {}  # the retired key no longer verifies


async def test_two_cookies_of_our_name_are_not_adopted(harness: Harness) -> None:
    cookie = await harness.new_session(a="1")
    other = await harness.new_session(a="2")
    response = await harness.client.get("/read", headers={"cookie": f"{SID}={cookie}; {SID}={other}"})
    assert response.json()["data"] == {}


# -- login, rotation, logout, revocation -----------------------------------------------------------
async def test_login_rotates_id_and_kills_the_old_one(harness: Harness) -> None:
    before = await harness.new_session(cart="3")
    response = await harness.request("POST", "/login", cookie=before)
    after = cookie_of(response)
    assert after and raw_id(after) != raw_id(before)
    response = await harness.request("GET", "/read", cookie=after)
    assert response.json() == {"data": {"cart": "3"}, "user": "alice"}
    response = await harness.request("GET", "/read", cookie=before)
    assert response.json() == {"data": {}, "user": None}  # the pre-login ID authenticates nothing


async def test_login_without_prior_session_creates_one(harness: Harness) -> None:
    response = await harness.request("POST", "/login")
    cookie = cookie_of(response)
    assert cookie
    assert (await harness.request("GET", "/read", cookie=cookie)).json()["user"] == "alice"


async def test_rotate_session_keeps_user_and_absolute_deadline(harness: Harness) -> None:
    cookie = cookie_of(await harness.request("POST", "/login"))
    assert cookie
    for _ in range(33):  # stay active for 11 h
        harness.clock.advance(20 * 60)
        await harness.request("GET", "/read", cookie=cookie)
    response = await harness.request("POST", "/rotate", cookie=cookie)
    assert response.json() == {"rotated": True}
    rotated = cookie_of(response)
    assert rotated and raw_id(rotated) != raw_id(cookie)
    assert (await harness.request("GET", "/read", cookie=rotated)).json()["user"] == "alice"
    for _ in range(2):
        harness.clock.advance(20 * 60)
        assert (await harness.request("GET", "/read", cookie=rotated)).json()["user"] == "alice"
    harness.clock.advance(20 * 60 + 1)  # past 12 h since login, though rotated 1 h ago
    assert (await harness.request("GET", "/read", cookie=rotated)).json()["user"] is None


async def test_rotate_without_stored_session_is_a_no_op(harness: Harness) -> None:
    response = await harness.request("POST", "/rotate")
    assert response.json() == {"rotated": False}
    assert cookie_of(response) is None


async def test_logout_destroys_server_side_and_clears_cookie(harness: Harness) -> None:
    cookie = cookie_of(await harness.request("POST", "/login"))
    assert cookie
    response = await harness.request("POST", "/logout", cookie=cookie)
    assert cookie_of(response) == ""
    assert await harness.store.load(store_key(raw_id(cookie))) is None
    replay = await harness.request("GET", "/read", cookie=cookie)
    assert replay.json() == {"data": {}, "user": None}


async def test_revoke_user_sessions_ends_every_session_of_that_user(harness: Harness) -> None:
    a1 = cookie_of(await harness.request("POST", "/login", params={"user": "alice"}))
    a2 = cookie_of(await harness.request("POST", "/login", params={"user": "alice"}))
    b1 = cookie_of(await harness.request("POST", "/login", params={"user": "bob"}))
    response = await harness.request("POST", "/revoke", cookie=a1, params={"user": "alice"})
    assert response.json() == {"revoked": 2}
    assert cookie_of(response) == ""  # the requester was alice: its cookie goes too
    for cookie in (a1, a2):
        assert (await harness.request("GET", "/read", cookie=cookie)).json()["user"] is None
    assert (await harness.request("GET", "/read", cookie=b1)).json()["user"] == "bob"


# -- timeouts -------------------------------------------------------------------------------------
async def test_idle_timeout_is_enforced_server_side(harness: Harness) -> None:
    cookie = cookie_of(await harness.request("POST", "/login"))
    assert cookie
    harness.clock.advance(29 * 60)
    assert (await harness.request("GET", "/read", cookie=cookie)).json()["user"] == "alice"
    harness.clock.advance(30 * 60 + 1)
    response = await harness.request("GET", "/read", cookie=cookie)
    assert response.json()["user"] is None
    assert cookie_of(response) == ""
    assert await harness.store.load(store_key(raw_id(cookie))) is None


async def test_absolute_timeout_ends_an_active_session(harness: Harness) -> None:
    cookie = cookie_of(await harness.request("POST", "/login"))
    assert cookie
    for _ in range(35):  # active every 20 minutes for 11 h 40 min
        harness.clock.advance(20 * 60)
        assert (await harness.request("GET", "/read", cookie=cookie)).json()["user"] == "alice"
    harness.clock.advance(20 * 60 + 1)
    assert (await harness.request("GET", "/read", cookie=cookie)).json()["user"] is None


async def test_idle_refresh_is_throttled() -> None:
    clock = Clock()
    store = CountingStore(clock=clock)
    async with await client_for(build_app(store, clock)) as client:
        cookie = cookie_of(await client.post("/write", params={"a": "1"}))
        headers = {"cookie": f"{SID}={cookie}"}
        for _ in range(5):
            clock.advance(10)
            await client.get("/read", headers=headers)
        assert store.writes == 0  # read-only requests inside refresh_after write nothing
        clock.advance(60)
        await client.get("/read", headers=headers)
        assert store.writes == 1


# -- session IDs in URLs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/read?sid=abc",
        "/read?SID=abc",
        "/read?PHPSESSID=abc",
        "/read?x=1&jsessionid=abc",
        "/read?%73ession_id=abc",
        "/read?__Host-sid=abc",
        "/read;jsessionid=abc",
        "/read?a=1;sessionid=abc",
    ],
)
async def test_session_id_in_url_is_refused(harness: Harness, url: str) -> None:
    response = await harness.client.get(url)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:sentinel:problem:session-id-in-url"


@pytest.mark.parametrize("url", ["/read?side=1", "/read?sessions_count=2", "/read?q=sid"])
async def test_lookalike_parameters_pass(harness: Harness, url: str) -> None:
    assert (await harness.client.get(url)).status_code == 200


async def test_strip_policy_removes_the_parameter_and_continues() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    import sentinel

    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"query": str(request.url.query), "path": request.url.path})

    app = Starlette(routes=[Route("/{rest:path}", echo)])
    wrapped = sentinel.SessionMiddleware(app, secret_keys=[KEY], url_policy="strip")
    async with await client_for(wrapped) as client:
        response = await client.get("/a;jsessionid=abc/b?x=1&PHPSESSID=secret&y=2")
    assert response.status_code == 200
    assert response.json() == {"query": "x=1&y=2", "path": "/a/b"}


async def test_url_refusal_is_logged_without_the_value(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sentinel.security")
    await harness.client.get("/read;jsessionid=TOPSECRETVALUE?sid=OTHERSECRET")
    records = [r for r in caplog.records if r.name == "sentinel.security"]
    assert records and records[0].sentinel["event"] == "session.id_in_url"  # type: ignore[attr-defined]
    text = " ".join(str(r.__dict__) for r in records)
    assert "TOPSECRETVALUE" not in text and "OTHERSECRET" not in text


async def test_logs_never_carry_a_raw_session_id(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cookie = await harness.new_session()
    login = cookie_of(await harness.request("POST", "/login", cookie=cookie))
    assert login
    await harness.request("POST", "/logout", cookie=login)
    await harness.request("GET", "/read", cookie=login)
    await harness.request("GET", "/read", cookie=login[:-2] + "xx")
    text = " ".join(str(r.__dict__) for r in caplog.records)
    assert caplog.records  # the flow above logs login, logout, unknown and forged events
    for secret in (raw_id(cookie), raw_id(login)):
        assert secret not in text


# -- concurrency: nothing comes back from the dead ----------------------------------------------
async def test_request_in_flight_cannot_resurrect_a_logged_out_session(harness: Harness) -> None:
    cookie = cookie_of(await harness.request("POST", "/login"))
    assert cookie
    slow = asyncio.create_task(harness.request("POST", "/slow-write", cookie=cookie))
    await harness.gate.entered.wait()
    await harness.request("POST", "/logout", cookie=cookie)
    harness.gate.release.set()
    response = await slow
    assert response.status_code == 200
    assert await harness.store.load(store_key(raw_id(cookie))) is None
    assert (await harness.request("GET", "/read", cookie=cookie)).json() == {"data": {}, "user": None}


async def test_request_in_flight_cannot_resurrect_a_rotated_id(harness: Harness) -> None:
    cookie = await harness.new_session(a="1")
    slow = asyncio.create_task(harness.request("POST", "/slow-write", cookie=cookie))
    await harness.gate.entered.wait()
    new = cookie_of(await harness.request("POST", "/login", cookie=cookie))
    harness.gate.release.set()
    response = await slow
    assert cookie_of(response) is None  # it must not clear the browser's brand-new cookie
    assert (await harness.request("GET", "/read", cookie=cookie)).json() == {"data": {}, "user": None}
    assert (await harness.request("GET", "/read", cookie=new)).json()["user"] == "alice"


async def test_login_racing_a_logout_starts_clean(harness: Harness) -> None:
    cookie = await harness.new_session(secret="from-before")
    slow = asyncio.create_task(harness.request("POST", "/slow-write", cookie=cookie))
    await harness.gate.entered.wait()
    await harness.request("POST", "/logout", cookie=cookie)
    harness.gate.release.set()
    await slow
    response = await harness.request("POST", "/login", cookie=cookie)
    fresh = cookie_of(response)
    assert fresh
    assert (await harness.request("GET", "/read", cookie=fresh)).json() == {"data": {}, "user": "alice"}


# -- capacity and failures ------------------------------------------------------------------------
async def test_full_memory_store_refuses_new_sessions_with_503_but_keeps_old_ones() -> None:
    clock = Clock()
    store = MemoryStore(max_sessions=2, clock=clock)
    async with await client_for(build_app(store, clock)) as client:
        first = cookie_of(await client.post("/write", params={"a": "1"}))
        cookie_of(await client.post("/write", params={"a": "2"}))
        response = await client.post("/write", params={"a": "3"})
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:sentinel:problem:session-store-full"
        assert int(response.headers["retry-after"]) >= 1
        assert cookie_of(response) is None
        headers = {"cookie": f"{SID}={first}"}
        assert (await client.get("/read", headers=headers)).json()["data"] == {"a": "1"}
        login = await client.post("/login", headers=headers)  # rotation never needs a free slot
        assert login.status_code == 200 and cookie_of(login)
        clock.advance(31 * 60)  # everything idles out; room again
        assert (await client.post("/write", params={"a": "4"})).status_code == 200


async def test_unreachable_store_answers_503_fast() -> None:
    import sentinel
    from tests.support.servers import free_port

    store = sentinel.RedisStore(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        async with await client_for(build_app(store, Clock())) as client:
            cookie = CookieSigner([Secret(KEY)]).sign(new_session_id())
            for _ in range(5):
                response = await client.get("/read", headers={"cookie": f"{SID}={cookie}"})
                assert response.status_code == 503
                assert response.json()["type"] == "urn:sentinel:problem:session-store-unavailable"
                assert "retry-after" in response.headers
            assert store.breaker.state == "open"
            # Requests that never touch the store still work while it is down.
            assert (await client.get("/untouched")).status_code == 200
    finally:
        await store.aclose()


# -- configuration ---------------------------------------------------------------------------------
def test_configuration_errors_are_reported_together() -> None:
    import sentinel

    with pytest.raises(sentinel.ConfigurationError) as info:
        sentinel.SessionSettings(secure=False, idle_timeout=0, url_policy="ignore")  # type: ignore[arg-type]
    assert len(info.value.problems) >= 3


def test_short_or_missing_keys_are_refused() -> None:
    import sentinel

    with pytest.raises(sentinel.ConfigurationError):
        sentinel.SessionMiddleware(lambda s, r, c: None, secret_keys=["short"])  # type: ignore[arg-type,return-value]
    with pytest.raises(sentinel.ConfigurationError):
        sentinel.SessionMiddleware(lambda s, r, c: None, secret_keys=KEY)  # type: ignore[arg-type,return-value]
    with pytest.raises(sentinel.ConfigurationError):
        sentinel.SessionMiddleware(lambda s, r, c: None, secret_keys=[])  # type: ignore[arg-type,return-value]


def test_unsafe_options_warn_loudly(caplog: pytest.LogCaptureFixture) -> None:
    import sentinel

    with pytest.warns(sentinel.SentinelUnsafeWarning, match="secure=False"):
        sentinel.SessionSettings(cookie_name="sid", secure=False)
    assert any("UNSAFE" in r.getMessage() for r in caplog.records)


async def test_non_json_session_values_fail_clearly() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    import sentinel

    async def bad(request: Request) -> Response:
        request.session["when"] = object()
        return Response("ok")

    app = sentinel.SessionMiddleware(Starlette(routes=[Route("/", bad)]), secret_keys=[KEY])
    async with asgi_client(app) as client:
        with pytest.raises(sentinel.sessions.SessionDataError, match="JSON-serialisable"):
            await client.get("/")


# -- regressions from the security review -------------------------------------------------------
async def test_login_as_another_user_does_not_inherit_the_first_users_data(harness: Harness) -> None:
    alice = cookie_of(await harness.request("POST", "/login", params={"user": "alice"}))
    await harness.request("POST", "/write", cookie=alice, params={"mfa_ok": "alice"})
    bob = cookie_of(await harness.request("POST", "/login", cookie=alice, params={"user": "bob"}))
    assert (await harness.request("GET", "/read", cookie=bob)).json() == {"data": {}, "user": "bob"}


async def test_same_user_login_keeps_the_data(harness: Harness) -> None:
    alice = cookie_of(await harness.request("POST", "/login", params={"user": "alice"}))
    await harness.request("POST", "/write", cookie=alice, params={"cart": "3"})
    again = cookie_of(await harness.request("POST", "/login", cookie=alice, params={"user": "alice"}))
    assert (await harness.request("GET", "/read", cookie=again)).json()["data"] == {"cart": "3"}


async def test_request_racing_a_login_cannot_replace_the_new_cookie(harness: Harness) -> None:
    before = await harness.new_session(a="1")
    new = cookie_of(await harness.request("POST", "/login", cookie=before))
    # The racing request arrives with the pre-login cookie and writes to its (new, empty) session.
    racing = await harness.request("POST", "/write", cookie=before, params={"last_page": "/x"})
    assert cookie_of(racing) is None  # neither cleared nor replaced
    assert (await harness.request("GET", "/read", cookie=new)).json()["user"] == "alice"


async def test_logout_that_raced_a_rotation_ends_the_successor_too(harness: Harness) -> None:
    cookie = cookie_of(await harness.request("POST", "/login"))
    slow = asyncio.create_task(harness.request("POST", "/slow-logout", cookie=cookie))
    await harness.gate.entered.wait()
    rotated = cookie_of(await harness.request("POST", "/rotate", cookie=cookie))
    harness.gate.release.set()
    await slow
    assert (await harness.request("GET", "/read", cookie=rotated)).json()["user"] is None


async def test_session_cookie_responses_are_never_publicly_cacheable() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route

    import sentinel

    async def cached(request: Request) -> Response:
        request.session["n"] = 1
        return Response("ok", headers={"cache-control": "public, max-age=600"})

    app = sentinel.SessionMiddleware(Starlette(routes=[Route("/", cached)]), secret_keys=[KEY])
    async with asgi_client(app) as client:
        response = await client.get("/")
    assert cookie_of(response)
    assert response.headers.get_list("cache-control") == ["private, no-store"]


async def test_strip_mode_refuses_a_session_name_hidden_in_a_value() -> None:
    from starlette.applications import Starlette
    from starlette.routing import Route

    import sentinel

    async def ok(request: object) -> Response:
        return Response("ok")

    app = sentinel.SessionMiddleware(
        Starlette(routes=[Route("/", ok)]), secret_keys=[KEY], url_policy="strip"
    )
    async with asgi_client(app) as client:
        assert (await client.get("/?q=a;sid=1")).status_code == 400
        assert (await client.get("/?q=a&sid=1")).status_code == 200


def test_redis_client_without_decoded_responses_is_refused() -> None:
    import redis.asyncio as aioredis

    import sentinel

    raw_client = aioredis.Redis(port=1)
    with pytest.raises(sentinel.ConfigurationError, match="decode_responses"):
        sentinel.RedisStore(client=raw_client)
