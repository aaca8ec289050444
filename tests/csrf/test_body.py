"""Body buffering and replay: chunked bodies, disconnects and declared lengths."""

from __future__ import annotations

from typing import Any

import pytest

from sentinel.csrf.body import BodyTooLarge, Buffered, ClientDisconnected, declared_length, read_body, replay


def stream(*messages: dict[str, Any]) -> Any:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    return receive


async def test_chunks_are_joined_and_replayed_once_then_the_server_receive_takes_over() -> None:
    receive = stream(
        {"type": "http.request", "body": b"a=1&", "more_body": True},
        {"type": "http.request", "body": b"csrf_token=x", "more_body": False},
    )
    buffered = await read_body(receive, 1024)
    assert buffered == Buffered(body=b"a=1&csrf_token=x")
    again = replay(buffered, receive)
    assert await again() == {"type": "http.request", "body": b"a=1&csrf_token=x", "more_body": False}
    assert (await again())["type"] == "http.disconnect"


async def test_a_disconnect_mid_body_is_never_replayed_as_a_whole_body() -> None:
    receive = stream(
        {"type": "http.request", "body": b"amount=1", "more_body": True}, {"type": "http.disconnect"}
    )
    with pytest.raises(ClientDisconnected):
        await read_body(receive, 1024)


async def test_the_app_never_sees_a_truncated_form() -> None:
    """The review's attack: `amount=1` of `amount=1000000`, then a disconnect. Without the fix the
    middleware replayed the fragment, valid token and all, as a complete body and the app paid."""
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    import sentinel
    from sentinel.csrf import CSRFMiddleware, csrf_token

    paid: list[bytes] = []

    async def form(request: Request) -> PlainTextResponse:
        return PlainTextResponse(csrf_token(request))

    async def pay(request: Request) -> PlainTextResponse:
        paid.append(await request.body())
        return PlainTextResponse("paid")

    keys = ["k" * 48]
    shop = Starlette(routes=[Route("/form", form), Route("/pay", pay, methods=["POST"])])
    stack = sentinel.SessionMiddleware(CSRFMiddleware(shop, secret_keys=keys, mode="token"), secret_keys=keys)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack), base_url="https://shop.test") as c:
        page = await c.get("/form")
    cookie = page.headers["set-cookie"].split(";", 1)[0].encode()
    body = b"csrf_token=" + page.text.encode() + b"&to=alice&amount=1"
    scope = {
        "type": "http", "method": "POST", "path": "/pay", "raw_path": b"/pay", "query_string": b"",
        "scheme": "https", "http_version": "1.1", "root_path": "",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded"), (b"host", b"shop.test"),
                    (b"cookie", cookie)],
        "client": ("127.0.0.1", 1), "server": ("shop.test", 443),
    }  # fmt: skip
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    whole = stream({"type": "http.request", "body": body, "more_body": False})
    await stack(dict(scope), whole, send)
    assert paid == [body]  # control: the same token and body, complete, are accepted
    paid.clear()
    truncated = stream({"type": "http.request", "body": body, "more_body": True}, {"type": "http.disconnect"})
    await stack(dict(scope), truncated, send)
    assert paid == []


async def test_the_limit_counts_every_chunk() -> None:
    chunk = {"type": "http.request", "body": b"x" * 600, "more_body": True}
    with pytest.raises(BodyTooLarge):
        await read_body(stream(chunk, chunk), 1000)


def test_declared_length() -> None:
    assert declared_length({"headers": [(b"content-length", b"42")]}) == 42
    assert declared_length({"headers": [(b"content-length", b"lots")]}) is None
    assert declared_length({"headers": []}) is None
