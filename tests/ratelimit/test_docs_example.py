"""docs/ratelimit.md's login example, executed as written: budgets follow the resolved account."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from sentinel.ratelimit import PAIR_DEFAULT, AuthLimiter
from tests.ratelimit.conftest import KEY

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ratelimit.md"


@dataclass(frozen=True)
class User:
    id: str


def collation_key(name: str) -> str:
    """What a case- and accent-insensitive collation compares (utf8mb4_general_ci, roughly)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


async def lookup(username: str) -> User | None:
    return User(id="1") if collation_key(username) == "alice" else None


async def verify_password(user: User | None, password: str) -> bool:
    return user is not None and password == "right"


def login_request(username: str, password: str) -> Request:
    body = urlencode({"username": username, "password": password}).encode()
    scope = {
        "type": "http", "method": "POST", "path": "/login", "headers": [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ], "client": ("203.0.113.66", 40000),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


async def test_the_documented_login_gives_every_spelling_one_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTINEL_SECRET_KEYS", KEY)
    block = next(
        b for b in re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
        if "async def login" in b
    )  # fmt: skip
    namespace: dict[str, Any] = {"lookup": lookup, "verify_password": verify_password}
    exec(compile(block, str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    await namespace["limiter"].aclose()  # the example's Redis limiter; this test runs in memory
    namespace["limiter"] = limiter = AuthLimiter(key=KEY)
    spellings = ["alice", "\u00e0lice", "\u00c1LICE", "al\u00efc\u00e9", "a\u0301lice", "ALÏCE"]
    answers = [await namespace["login"](login_request(name, "wrong")) for name in spellings]
    assert answers[: PAIR_DEFAULT.free] == [None] * PAIR_DEFAULT.free  # failures: the example's "..."
    assert answers[PAIR_DEFAULT.free].status_code == 429
    # An unknown name is limited too, on its own spelling budget.
    for _ in range(PAIR_DEFAULT.free):
        assert await namespace["login"](login_request("nobody", "wrong")) is None
    assert (await namespace["login"](login_request("NOBODY", "wrong"))).status_code == 429
    await limiter.aclose()
