"""Preludes and epilogues for the documentation's Python blocks (see tests/test_docs.py).

A block marked ``<!-- docs-test: prelude=NAME -->`` runs after ``PRELUDES[NAME]`` in one namespace:
the prelude supplies what the page leaves to the reader (the app's routes, its user table, a request).
``then=NAME`` runs ``EPILOGUES[NAME]`` afterwards, to exercise what the block built (a login through
the README's app). Keep each one small: what a reader would have in their own app, and no more.
"""

from __future__ import annotations

PRELUDES: dict[str, str] = {
    # The app's own routes, which every "add Sentinel to your app" example assumes.
    "routes": """
from starlette.responses import PlainTextResponse
from starlette.routing import Route

async def _home(request):
    return PlainTextResponse("home")

routes = [Route("/", _home)]
""",
    # A user store: one user, alice, whose password hash the example may upgrade.
    "users": """
import sentinel as _sentinel
from sentinel.auth import Credentials as _Credentials

_hasher = _sentinel.PasswordHasher()
USERS = {"alice": {"id": "1", "hash": _hasher.hash("correct horse battery staple")}}

async def lookup_user(username):
    row = USERS.get(username)
    return None if row is None else _Credentials(user_id=row["id"], password_hash=row["hash"])

async def save_password_hash(user_id, old, new):
    for row in USERS.values():
        if row["id"] == user_id and row["hash"] == old:
            row["hash"] = new
            return True
    return False

save_hash = save_password_hash
""",
    # docs/auth.md's ``db``: the two queries it runs, on an in-memory SQLite table.
    "auth_db": """
import sqlite3 as _sqlite3
import sentinel as _sentinel

class _Result:
    def __init__(self, rowcount):
        self.rowcount = rowcount

class _DB:
    def __init__(self):
        self.conn = _sqlite3.connect(":memory:")
        self.conn.row_factory = _sqlite3.Row
        self.conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, password_hash TEXT)")
        hashed = _sentinel.PasswordHasher().hash("correct horse battery staple")
        self.conn.execute("INSERT INTO users VALUES (1, 'alice', ?)", (hashed,))

    async def fetch_one(self, query, values):
        return self.conn.execute(query, values).fetchone()

    async def execute(self, query, values):
        return _Result(self.conn.execute(query, values).rowcount)

db = _DB()
""",
    # docs/passwords.md: the names its fragments take from the surrounding handler.
    "password_handler": """
from sentinel.passwords import PasswordHasher
hasher = PasswordHasher()
password = "correct horse battery staple"
name, user_id, username, email = "alice", "1", "alice", "alice@example.com"
new_password = "a long enough passphrase of mine"
SAVED = {}

async def save_password_hash(user_id, new_hash):
    SAVED[user_id] = new_hash

async def find_user(name):
    return None

def refuse():
    return "refused"
""",
    # docs/ratelimit.md's login: how the app checks a password.
    "verify_password": """
async def verify_password(username, password):
    return username == "alice" and password == "correct horse battery staple"
""",
    # docs/xml.md: the session keys and a request whose body is XML.
    "xml_request": """
import sentinel as _sentinel
keys = _sentinel.keys_from_env()

class _Request:
    async def body(self):
        return b"<order><item>1</item></order>"

request = _Request()
""",
    # docs/operations.md: the stores the health check reports.
    "stores": """
import sentinel as _sentinel
session_store = _sentinel.MemoryStore()
limiter_store = _sentinel.AuthLimiter()
""",
    # docs/operations.md: the alerting counter a hook feeds.
    "alerts": """
import collections as _collections

class _Alerts:
    def __init__(self):
        self.counts = _collections.Counter()

    def count(self, event, outcome):
        self.counts[(event, outcome)] += 1

alerts = _Alerts()
""",
    # docs/migrate-passwords.md's library use: a SQLite users table with MD5 hashes to wrap.
    "migrate_db": """
import hashlib as _hashlib
import os as _os
import sqlite3 as _sqlite3
import tempfile as _tempfile

_path = _os.path.join(_tempfile.mkdtemp(), "users.db")
with _sqlite3.connect(_path) as _conn:
    _conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, password_hash VARCHAR(255))")
    for _i, _pw in enumerate(["alpha", "bravo", "charlie"], start=1):
        _conn.execute("INSERT INTO users VALUES (?, ?)", (_i, _hashlib.md5(_pw.encode()).hexdigest()))
_os.environ["SENTINEL_MIGRATE_DB_URL"] = "sqlite:///" + _path
""",
}

EPILOGUES: dict[str, str] = {
    # The README's app must log alice in (with the form's token), refuse a bad password with 401,
    # serve the JS token, and log out: through the real stack, over https://testserver.
    "readme_login": """
from sentinel.testing import SentinelClient as _SentinelClient

with _SentinelClient(app) as _client:
    _page = _client.get("/login")
    assert _page.status_code == 200 and 'name="csrf_token"' in _page.text
    _bad = _client.submit("/login", {"username": "alice", "password": "wrong"}, form_page="/login")
    assert _bad.status_code == 401, _bad.text
    _ok = _client.login("/login", username="alice", password="correct horse battery staple")
    assert _ok.status_code == 303, _ok.text
    assert "Hello 1." in _client.get("/").text  # alice's user ID
    assert _client.logout("/logout").status_code == 303
    assert "Log in" in _client.get("/").text

# A guesser (from another address) gets Sentinel's 429 with Retry-After, not the app's 401.
with _SentinelClient(app, client=("203.0.113.66", 40000)) as _guesser:
    _codes = []
    for _n in range(40):
        _r = _guesser.submit("/login", {"username": "alice", "password": f"guess{_n}"}, form_page="/login")
        _codes.append(_r.status_code)
        if _r.status_code == 429:
            break
    assert _codes[0] == 401 and _codes[-1] == 429, _codes
    assert int(_r.headers["retry-after"]) >= 1
    assert _r.headers["content-type"] == "application/problem+json"
""",
    # A page's example tests: run every ``test_*`` function the block defined, as pytest would.
    "tests": """
_tests = [f for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
assert _tests, "the block defines no test_* function"
for _test in _tests:
    _test()
""",
}

__all__ = ["EPILOGUES", "PRELUDES"]
