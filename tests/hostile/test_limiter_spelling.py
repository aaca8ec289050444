"""Issue #12, item 3: one account, one budget, whatever spelling the database folds to it.

docs/auth.md's own lookup on a real database whose collation ignores case and accents (MariaDB's
default ``utf8mb4_general_ci``; on PostgreSQL a nondeterministic ICU collation): ``àlice``,
``álice``, ``alïcé``... all reach alice's row. Before the fix each spelling brought a fresh pair and
account budget: 125 guesses from 5 IPs and no 429, and ``ÀLÏCÉ`` with the right password logged in
while ``alice`` was locked. The docs example runs here as written (its code block is executed); the
test swaps in a cheap argon2 profile and a limiter on a clock that stands still, so lockouts cannot
run out while the test talks to the server.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import sqlalchemy as sa
from starlette.routing import Route

from sentinel.auth import Authenticator
from sentinel.ratelimit import ACCOUNT_DEFAULT, PAIR_DEFAULT, AuthLimiter
from tests.hostile._login_server import cheap_hasher, client_from, serving, session_app
from tests.support.services import MARIADB_URL, POSTGRES_URL, port_open, unavailable

pytestmark = [pytest.mark.hostile, pytest.mark.e2e]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "auth.md"
PASSWORD = "alice's own long passphrase"
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 7)]  # five clients, five TCP peers
#: 25 spellings a case- and accent-insensitive collation calls alice; NFKC + case-folding keeps
#: every one of them apart.
SPELLINGS = [
    (a + "l" + i + "c" + e).upper() if n % 2 else a + "l" + i + "c" + e
    for n, (a, i, e) in enumerate(itertools.product("àáâäå", "íï", "éèë"))
][:25]


@dataclass
class Database:
    kind: str
    url: str  # what the docs example reads from DATABASE_URL


def _example_code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)
    return next(block for block in blocks if "async def lookup" in block)


#: Per database: the admin URL, the statements that make a scratch namespace ``{ns}`` holding a
#: ``users`` table whose names fold case and accents, and the statement that drops it all.
SCRATCH = {
    "mariadb": (
        MARIADB_URL,
        [
            "CREATE DATABASE {ns}",
            "CREATE TABLE {ns}.users (id INT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(191) NOT NULL "
            "UNIQUE, password_hash VARCHAR(512) NOT NULL) COLLATE utf8mb4_general_ci",
        ],
        "DROP DATABASE IF EXISTS {ns}",
    ),
    "postgresql": (
        POSTGRES_URL,
        [
            "CREATE SCHEMA {ns}",
            "CREATE COLLATION {ns}.ci_ai (provider = icu, locale = 'und-u-ks-level1', deterministic = false)",
            "CREATE TABLE {ns}.users (id serial PRIMARY KEY, username text COLLATE {ns}.ci_ai NOT NULL "
            "UNIQUE, password_hash text NOT NULL)",
        ],
        "DROP SCHEMA IF EXISTS {ns} CASCADE",
    ),
}


@contextmanager
def _scratch(kind: str) -> Iterator[Database]:
    """A uniquely named database (MariaDB) or schema (PostgreSQL) with a ``users`` table; dropped after."""
    admin_url, create, drop = SCRATCH[kind]
    admin = sa.create_engine(admin_url, pool_pre_ping=True)
    ns = f"h12_spelling_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as conn:
            if kind == "mariadb":  # the server's default collation: what a table gets unless told
                assert conn.execute(sa.text("SELECT @@collation_server")).scalar() == "utf8mb4_general_ci"
            for statement in create:
                conn.execute(sa.text(statement.format(ns=ns)))
        if kind == "mariadb":
            url = admin.url.set(database=ns)
        else:
            url = admin.url.update_query_dict({"options": f"-csearch_path={ns}"})
        yield Database(kind, url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(drop.format(ns=ns)))
        admin.dispose()


@pytest.fixture(params=["mariadb", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    url = sa.make_url(MARIADB_URL if request.param == "mariadb" else POSTGRES_URL)
    if not port_open(url.host or "127.0.0.1", url.port or 0):
        unavailable(f"{request.param} at {url.host}:{url.port} is unreachable")
    with _scratch(request.param) as db:
        yield db


@dataclass
class Frozen:
    """A clock that stands still: lockouts last as long as the test."""

    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def example(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """docs/auth.md's example, executed against ``database``, with alice in its users table."""
    monkeypatch.setenv("DATABASE_URL", database.url)
    namespace: dict[str, Any] = {"__name__": "docs_auth_example"}
    exec(compile(_example_code(), str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    hasher = cheap_hasher()
    documented: Authenticator = namespace["auth"]
    documented.hasher.close()
    documented.hasher = hasher
    documented.limiter = AuthLimiter(clock=Frozen())
    with namespace["engine"].begin() as conn:
        conn.execute(
            sa.text("INSERT INTO users (username, password_hash) VALUES ('alice', :h)"),
            {"h": hasher.hash(PASSWORD)},
        )
    yield namespace
    hasher.close()
    namespace["engine"].dispose()


def app_of(example: dict[str, Any]) -> Any:
    return session_app([Route("/login", example["login"], methods=["POST"])])


async def test_the_documented_lookup_folds_case_and_accents(example: dict[str, Any]) -> None:
    """The attack's premise: this database resolves ÀLÏCÉ to alice, and the right password works.
    Also runs the example's compare-and-swap ``save_hash``: bob's legacy bcrypt hash is upgraded."""
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    with example["engine"].begin() as conn:
        conn.execute(sa.text("INSERT INTO users (username, password_hash) VALUES ('bob', :h)"), {"h": legacy})
    async with serving(app_of(example)) as base, client_from(base, ADDRESSES[0]) as post:
        assert (await post("\u00c0L\u00cfC\u00c9", PASSWORD)).status_code == 303
        assert (await post("nobody", PASSWORD)).status_code == 401
        assert (await post("B\u00d6B", PASSWORD)).status_code == 303
    with example["engine"].connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users WHERE username = 'bob'")).scalar()
    assert stored.startswith("$argon2id$")


async def test_once_alice_is_limited_every_spelling_of_her_is(example: dict[str, Any]) -> None:
    async with serving(app_of(example)) as base, client_from(base, ADDRESSES[0]) as post:
        guesses = [(await post("alice", f"guess-{i}")).status_code for i in range(PAIR_DEFAULT.free + 1)]
        spellings = ["\u00e0lice", "\u00e1lice", "al\u00efc\u00e9", "\u00c0L\u00cfC\u00c9"]
        others = [(await post(name, "another guess")).status_code for name in spellings]
        right = await post("\u00c0L\u00cfC\u00c9", PASSWORD)  # the right password, while limited
    assert guesses == [401] * PAIR_DEFAULT.free + [429]
    assert others == [429] * len(spellings)
    assert right.status_code == 429
    assert right.headers["content-type"] == "application/problem+json"


async def guesses_let_through(example: dict[str, Any], names: list[str]) -> int:
    """Each of the five clients guesses once per name in ``names``; how many were not refused."""
    example["auth"].limiter = AuthLimiter(clock=Frozen())
    verified = 0
    async with serving(app_of(example)) as base:
        for address in ADDRESSES:
            async with client_from(base, address) as post:
                for name in names:
                    status = (await post(name, "a wrong guess")).status_code
                    assert status in (401, 429)
                    verified += status == 401
    return verified


async def test_125_guesses_from_5_ips_are_limited_as_for_one_spelling(example: dict[str, Any]) -> None:
    assert len(set(SPELLINGS)) == 25
    one_spelling = await guesses_let_through(example, ["alice"] * 25)
    many_spellings = await guesses_let_through(example, SPELLINGS)
    assert one_spelling == ACCOUNT_DEFAULT.free  # the account budget binds across five pairs
    assert many_spellings == one_spelling  # before the fix: 125, every guess verified
