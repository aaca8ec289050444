"""The login helper through a real Starlette stack: order of steps, rehash, limits, no user oracle."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import bcrypt
import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sentinel
from sentinel.auth import Authenticator, Credentials, Outcome
from sentinel.passwords import INSECURE_TEST_ONLY, PasswordHasher
from tests.sessions.conftest import KEY, cookie_of, no_cookie_jar

PASSWORD = "correct horse battery staple"


class CountingHasher(PasswordHasher):
    """A real hasher on the test profile that counts what the flow asks of it."""

    def __init__(self) -> None:
        with pytest.warns(sentinel.SentinelUnsafeWarning):
            super().__init__(profile=INSECURE_TEST_ONLY, allow_weak=True, pepper=None)
        self.verifies = 0
        self.dummies = 0

    async def averify_and_update(
        self, stored: str, password: str, *, salt: Any = None
    ) -> tuple[bool, str | None]:
        self.verifies += 1
        return await super().averify_and_update(stored, password, salt=salt)

    async def adummy_verify(self, password: str | None = None) -> bool:
        self.dummies += 1
        return await super().adummy_verify(password)


@dataclass
class Table:
    hashes: dict[str, str] = field(default_factory=dict)
    changed_under_us: bool = False
    lookups: int = 0

    async def lookup(self, username: str) -> Credentials | None:
        self.lookups += 1
        stored = self.hashes.get(username)
        return None if stored is None else Credentials(user_id=username, password_hash=stored)

    async def save_hash(self, user_id: str, old: str, new: str) -> bool:
        if self.changed_under_us:
            self.hashes[user_id] = "$changed-by-a-password-reset"
        if self.hashes.get(user_id) != old:
            return False
        self.hashes[user_id] = new
        return True


@dataclass
class Rig:
    client: httpx.AsyncClient
    hasher: CountingHasher
    table: Table

    async def login(self, username: str, password: str, cookie: str | None = None) -> httpx.Response:
        headers = {"cookie": f"__Host-sid={cookie}"} if cookie else {}
        return await self.client.post("/login", json={"u": username, "p": password}, headers=headers)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    hasher = CountingHasher()
    table = Table({"alice": hasher.hash(PASSWORD)})
    auth = Authenticator(
        hasher=hasher, limiter=sentinel.AuthLimiter(), lookup=table.lookup, save_hash=table.save_hash
    )

    async def login(request: Request) -> Response:
        body = await request.json()
        result = await auth.login(request, body["u"], body["p"])
        if not result.ok:
            problem = result.problem()
            return JSONResponse(
                {"outcome": result.outcome.value, "type": problem.slug}, status_code=problem.status
            )
        return JSONResponse({"user": result.user_id, "rehashed": result.rehashed})

    async def me(request: Request) -> Response:
        return JSONResponse({"user": sentinel.get_session(request).user_id})

    app = Starlette(
        routes=[Route("/login", login, methods=["POST"]), Route("/me", me)],
        middleware=[Middleware(sentinel.SessionMiddleware, secret_keys=[KEY])],
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://t", cookies=no_cookie_jar()
    ) as client:
        yield Rig(client, hasher, table)
    hasher.close()


async def test_success_rotates_the_session_and_logs_in(rig: Rig) -> None:
    response = await rig.login("alice", PASSWORD, cookie=None)
    assert response.status_code == 200
    assert response.json() == {"user": "alice", "rehashed": False}
    cookie = cookie_of(response)
    assert cookie
    me = await rig.client.get("/me", headers={"cookie": f"__Host-sid={cookie}"})
    assert me.json() == {"user": "alice"}


async def test_unknown_user_and_wrong_password_look_the_same(rig: Rig) -> None:
    wrong = await rig.login("alice", "not the password")
    unknown = await rig.login("mallory-does-not-exist", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"outcome": "invalid", "type": "invalid-credentials"}
    assert sorted(wrong.headers) == sorted(unknown.headers)
    # The unknown user still paid one argon2 verify of the same cost.
    assert rig.hasher.verifies == 1 and rig.hasher.dummies == 1


async def test_legacy_hash_is_upgraded_at_login(rig: Rig) -> None:
    rig.table.hashes["bob"] = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    first = await rig.login("bob", PASSWORD)
    assert first.json() == {"user": "bob", "rehashed": True}
    assert rig.table.hashes["bob"].startswith("$argon2id$")
    second = await rig.login("bob", PASSWORD)
    assert second.json() == {"user": "bob", "rehashed": False}


async def test_a_concurrent_password_change_wins_over_the_rehash(rig: Rig) -> None:
    rig.table.hashes["bob"] = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    rig.table.changed_under_us = True
    response = await rig.login("bob", PASSWORD)
    assert response.status_code == 401  # the old password no longer opens a session
    assert rig.table.hashes["bob"] == "$changed-by-a-password-reset"  # and the reset is kept


async def test_password_changed_during_verification_does_not_log_in(rig: Rig) -> None:
    """The race the review found: verify the old password while a reset (and a session revocation)
    lands; without the second lookup the attacker got a session after the reset."""
    original = rig.hasher.averify_and_update

    async def verify_while_reset(stored: str, password: str, *, salt: Any = None) -> tuple[bool, str | None]:
        result = await original(stored, password, salt=salt)
        rig.table.hashes["alice"] = rig.hasher.hash("a brand new password")  # reset lands mid-login
        return result

    rig.hasher.averify_and_update = verify_while_reset  # type: ignore[method-assign]
    response = await rig.login("alice", PASSWORD)
    assert response.status_code == 401
    assert cookie_of(response) is None


async def test_brute_force_is_refused_before_the_hasher_runs(rig: Rig) -> None:
    statuses = [(await rig.login("alice", f"guess-{i}")).status_code for i in range(12)]
    assert statuses[0] == 401
    assert 429 in statuses
    refused = await rig.login("alice", "guess-again")
    assert refused.status_code == 429
    assert refused.json()["type"] == "too-many-attempts"
    verifies = rig.hasher.verifies
    await rig.login("alice", PASSWORD)  # even the right password waits out the lockout
    assert rig.hasher.verifies == verifies


async def test_refused_attempts_cost_known_and_unknown_names_the_same(rig: Rig) -> None:
    """The lookup now runs before the limiter (the budget is the resolved account's): a refused
    attempt costs one lookup and no hashing, whether or not the name exists."""
    for name in ("alice", "nobody-here"):
        for i in range(12):
            await rig.login(name, f"guess-{i}")
    costs = []
    for name in ("alice", "nobody-here"):
        lookups, verifies, dummies = rig.table.lookups, rig.hasher.verifies, rig.hasher.dummies
        refused = await rig.login(name, "one more")
        assert refused.status_code == 429
        costs.append(
            (rig.table.lookups - lookups, rig.hasher.verifies - verifies, rig.hasher.dummies - dummies)
        )
    assert costs == [(1, 0, 0), (1, 0, 0)]


async def test_over_long_password_is_a_plain_failure(rig: Rig) -> None:
    response = await rig.login("alice", "x" * 5000)
    assert response.status_code == 401


async def test_unusable_stored_hash_looks_like_a_wrong_password_and_logs_error(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    rig.table.hashes["carol"] = "5f4dcc3b5aa765d61d8327deb882cf99"  # bare md5, no recipe declared
    caplog.set_level(logging.INFO, logger="sentinel.security")
    response = await rig.login("carol", "password")
    unknown = await rig.login("nobody-at-all", "password")
    assert response.status_code == unknown.status_code == 401  # no oracle for "has an account"
    assert response.json() == unknown.json()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].sentinel["event"] == "auth.stored_hash_unusable"  # type: ignore[attr-defined]


def test_outcomes_map_to_problem_statuses() -> None:
    from sentinel.auth import LoginResult

    assert LoginResult(outcome=Outcome.INVALID).problem().status == 401
    assert LoginResult(outcome=Outcome.RATE_LIMITED, retry_after=3).problem().retry_after == 3
    assert LoginResult(outcome=Outcome.UNAVAILABLE, retry_after=2).problem().status == 503
    with pytest.raises(ValueError, match="successful"):
        LoginResult(outcome=Outcome.SUCCESS).problem()
