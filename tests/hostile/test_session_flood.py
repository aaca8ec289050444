"""Issue #12, item 2: anonymous session floods must not lock new visitors out.

The attack: every ``GET /`` stored a session (its form's CSRF token needed a seed), so ~100,000 page
views filled the MemoryStore and new visitors got ``503 session-store-full`` on ``GET /login``; on
Redis nothing stopped the growth at all. Now:

- page views store nothing: 200,000 anonymous views of examples/app.py through its real ASGI stack
  (in process: 200,000 over HTTP through h11 on two shared cores would take 5-7 minutes), plus
  20,000 more over real HTTP against uvicorn, leave the store empty, and a new visitor logs in;
- requests that *do* create sessions (a cart write, a login) are charged to their client, so one
  client flooding them gets 429 while another logs in, on MemoryStore and on real Redis.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sentinel.types import Message
from tests.support.browser import SID, cookie_from, cookie_header, form_token, merge, post
from tests.support.servers import serve

pytestmark = pytest.mark.hostile

ALICE = {"username": "alice", "password": "correct horse battery staple"}
HEALTH_TOKEN = "health-token-for-the-flood-test-0123456789"
_TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size of a process on this machine (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/<pid>/status")  # pragma: no cover


# -- 200,000 page views through the real ASGI stack, in process -------------------------------------
async def page_view(app: Any, path: str = "/") -> tuple[int, list[tuple[bytes, bytes]]]:
    """One anonymous GET through the whole app, as uvicorn would call it (no client library)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "https", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
        "headers": [(b"host", b"shop.example"), (b"accept", b"text/html")],
        "client": ("203.0.113.7", 40000), "server": ("shop.example", 443),
    }  # fmt: skip
    received = False
    status = 0
    headers: list[tuple[bytes, bytes]] = []

    async def receive() -> Message:
        nonlocal received
        if received:  # pragma: no cover - a GET handler never waits for a second message
            await asyncio.sleep(3600)
        received = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))

    await app(scope, receive, send)
    return status, headers


@pytest.fixture
def example_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SENTINEL_SECRET_KEYS", "flood-test-signing-key-" + "f" * 40)
    monkeypatch.setenv("SENTINEL_SHEDDING", "on")
    from examples.app import create_app

    return create_app()


@pytest.mark.slow
@pytest.mark.timeout(600)  # ~30 s alone; bounded, with room for a loaded 2-core CI machine
async def test_200k_anonymous_page_views_store_nothing_and_a_new_visitor_logs_in(example_app: Any) -> None:
    store = example_app.session_store
    for _ in range(2_000):  # warm up: imports, caches, allocator arenas
        await page_view(example_app)
    baseline = rss_bytes()
    statuses: dict[int, int] = {}
    for _ in range(200_000):
        status, headers = await page_view(example_app)
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses == {200: 200_000}, statuses  # today: 503 session-store-full after ~100,000
    assert len(store) == 0  # not one anonymous session stored
    assert not any(name == b"set-cookie" and value.startswith(SID.encode()) for name, value in headers)
    grown = rss_bytes() - baseline
    assert grown < 48 * 1024 * 1024, f"RSS grew {grown / 2**20:.1f} MiB over 200,000 page views"

    transport = httpx.ASGITransport(app=example_app, client=("198.51.100.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.example") as visitor:
        page = await visitor.get("/login")
        assert page.status_code == 200
        token = _TOKEN.search(page.content)
        assert token is not None
        login = await visitor.post(
            "/login",
            data={**ALICE, "csrf_token": token.group(1).decode()},
            headers={"origin": "https://shop.example"},
        )
        assert login.status_code == 303, login.text
        assert (await visitor.get("/me")).json() == {"user": "alice"}
    assert len(store) == 1  # alice's session, and nothing else


# -- over real HTTP: uvicorn serving examples/app.py ----------------------------------------------
async def keep_alive_views(host: str, port: int, count: int, connections: int = 8) -> dict[int, int]:
    """``count`` anonymous GET / over ``connections`` raw keep-alive HTTP/1.1 sockets, one request
    at a time on each (no pipelining); the statuses seen."""
    statuses: dict[int, int] = {}
    request = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/html\r\n\r\n".encode()

    async def worker(share: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for _ in range(share):
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                status = int(head.split(b" ", 2)[1])
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                assert length is not None, head
                await asyncio.wait_for(reader.readexactly(int(length.group(1))), 10)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(worker(count // connections) for _ in range(connections)))
    return statuses


def health(base: str) -> dict[str, Any]:
    response = httpx.get(base + "/healthz", headers={"authorization": f"Bearer {HEALTH_TOKEN}"}, timeout=10)
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json()
    return doc


@pytest.fixture(scope="module")
def example_url() -> Iterator[str]:
    with serve("examples.app:app", env={"SENTINEL_HEALTH_TOKEN": HEALTH_TOKEN}) as base:
        yield base


@pytest.mark.slow
@pytest.mark.timeout(600)  # ~50 s alone at ~400 requests/s through h11
async def test_page_views_over_http_store_nothing_and_a_new_visitor_logs_in(example_url: str) -> None:
    url = httpx.URL(example_url)
    assert url.port is not None
    await keep_alive_views(url.host, url.port, 400)  # warm up
    pid = health(example_url)["pid"]
    baseline = rss_bytes(pid)
    statuses = await keep_alive_views(url.host, url.port, 20_000)
    assert statuses == {200: 20_000}, statuses
    sessions = health(example_url)["checks"]["sessions"]
    assert sessions["live_sessions"] == 0, sessions  # today: one per page view
    assert rss_bytes(pid) - baseline < 32 * 1024 * 1024

    token, cookie = form_token(example_url, "/login")
    login = post(example_url, "/login", cookie, token=token, data=ALICE)
    assert login.status_code == 303, login.text
    session = cookie_from(login)
    assert session
    me = httpx.get(example_url + "/me", headers=cookie_header(session), timeout=10)
    assert me.json() == {"user": "alice"}
    assert health(example_url)["checks"]["sessions"]["live_sessions"] == 1


# -- a flood of session-creating requests from one client -----------------------------------------
def client_from(address: str, base: str) -> httpx.Client:
    return httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address=address), timeout=10)


def new_visitor_adds_to_cart(client: httpx.Client, base: str) -> httpx.Response:
    """A brand-new visitor (no cookies) loads the form, then writes to its session: one new session."""
    token, cookie = form_token(base, "/form", client=client)
    headers = {"origin": base, "x-csrf-token": token, **cookie_header(cookie)}
    return client.post("/cart", headers=headers)


def flood_then_another_client_logs_in(base: str) -> int:
    """Returns how many carts (new sessions) the flooding client got before being refused."""
    with client_from("127.0.0.2", base) as flooder, client_from("127.0.0.3", base) as other:
        created = 0
        refused: httpx.Response | None = None
        for _ in range(120):
            response = new_visitor_adds_to_cart(flooder, base)
            if response.status_code != 200:
                refused = response
                break
            created += 1
        assert refused is not None, f"{created} new sessions from one client and no 429"
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:sentinel:problem:session-rate-limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert SID not in refused.headers.get("set-cookie", "")  # no session was handed out

        token, cookie = form_token(base, "/form", client=other)
        login = other.post(
            "/login",
            data={"username": "carol"},
            headers={"origin": base, "x-csrf-token": token, **cookie_header(cookie)},
        )
        assert login.status_code == 200, login.text
        held = merge(cookie, login)
        assert other.get("/me", headers=cookie_header(held)).json() == {"user": "carol"}
        return created


@pytest.mark.e2e
def test_one_client_flooding_new_sessions_gets_429_while_another_logs_in_memory() -> None:
    with serve("tests.hostile.flood_app:app", ready_path="/form") as base:
        created = flood_then_another_client_logs_in(base)
    assert 30 <= created <= 40  # the burst, plus what refilled meanwhile


@pytest.fixture
async def redis_prefix_cleanup(redis_url: str) -> AsyncIterator[str]:
    import redis.asyncio as aioredis

    prefix = f"sentinel-test:flood:{uuid.uuid4().hex}:"
    yield prefix
    client = aioredis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=2)
    keys = [key async for key in client.scan_iter(match=prefix + "*", count=500)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.mark.e2e
@pytest.mark.redis
async def test_one_client_flooding_new_sessions_gets_429_while_another_logs_in_redis(
    redis_url: str, redis_prefix_cleanup: str
) -> None:
    import redis.asyncio as aioredis

    env = {"FLOOD_REDIS_URL": redis_url, "FLOOD_REDIS_PREFIX": redis_prefix_cleanup}
    with serve("tests.hostile.flood_app:app", env=env, ready_path="/form") as base:
        created = await asyncio.to_thread(flood_then_another_client_logs_in, base)
    assert 30 <= created <= 40
    client = aioredis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=2)
    try:
        stored = [k async for k in client.scan_iter(match=redis_prefix_cleanup + "s:*", count=500)]
    finally:
        await client.aclose()
    assert len(stored) == created + 1  # the flooder's carts and carol's session: nothing more
