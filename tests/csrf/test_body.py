"""Body buffering and replay: chunked bodies, disconnects and declared lengths."""

from __future__ import annotations

from typing import Any

import pytest

from sentinel.csrf.body import BodyTooLarge, Buffered, declared_length, read_body, replay


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
    assert buffered == Buffered(body=b"a=1&csrf_token=x", disconnected=False)
    again = replay(buffered, receive)
    assert await again() == {"type": "http.request", "body": b"a=1&csrf_token=x", "more_body": False}
    assert (await again())["type"] == "http.disconnect"


async def test_a_disconnect_mid_body_is_replayed_as_a_disconnect() -> None:
    receive = stream({"type": "http.request", "body": b"a=", "more_body": True}, {"type": "http.disconnect"})
    buffered = await read_body(receive, 1024)
    assert buffered.disconnected
    again = replay(buffered, receive)
    await again()
    assert await again() == {"type": "http.disconnect"}


async def test_the_limit_counts_every_chunk() -> None:
    chunk = {"type": "http.request", "body": b"x" * 600, "more_body": True}
    with pytest.raises(BodyTooLarge):
        await read_body(stream(chunk, chunk), 1000)


def test_declared_length() -> None:
    assert declared_length({"headers": [(b"content-length", b"42")]}) == 42
    assert declared_length({"headers": [(b"content-length", b"lots")]}) is None
    assert declared_length({"headers": []}) is None
