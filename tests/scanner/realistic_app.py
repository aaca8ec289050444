"""A small app of our own with the habits of real apps that defeated the scanner (issue #13).

Served over real HTTP by the engine tests. Written as a raw ASGI app so it can decode its query the
way a hand-written server does: with ``unquote`` (so ``+`` stays a plus, and a scanner that sends
spaces as ``+`` never delivers its payload). Patterns:

- ``GET /greet?name=`` reflects ``name`` unescaped (XSS), decoded with ``unquote``;
- an unknown path gets a 404 page that renders the path unescaped (XSS through the path);
- ``/login`` is a form with a per-render CSRF token; a good login redirects to ``/dashboard``;
- ``/dashboard`` redirects anonymous visitors to ``/login`` (the redirect-to-login oracle) and shows
  the display name ("Super Admin" for ``superadmin``), never the username;
- three clicks from the dashboard (``/settings`` -> ``/settings/profile`` -> ``/settings/profile/edit``)
  a form with a single-use CSRF token that rejects any empty field and reflects ``display``
  unescaped (XSS behind the login);
- ``POST /api/login`` (JSON) answers a bearer token; ``GET /api/me`` needs it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

USERS = {"superadmin": ("correct horse battery", "Super Admin")}
SESSIONS: dict[str, str] = {}
TOKENS: dict[str, str] = {}
CSRF: dict[str, set[str]] = {}


def _query(raw: bytes) -> dict[str, str]:
    """Decode like a hand-written server: split on & and =, then ``unquote`` (not ``unquote_plus``)."""
    pairs = (part.split("=", 1) for part in raw.decode("latin-1").split("&") if "=" in part)
    return {unquote(k): unquote(v) for k, v in pairs}


def _page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


async def _body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
    cookies = dict(p.strip().split("=", 1) for p in headers.get("cookie", "").split(";") if "=" in p)
    sid = cookies.get("sid", "")
    fresh = not sid
    if fresh:  # every anonymous visitor gets a session (and CSRF tokens are bound to it)
        sid = secrets.token_urlsafe(24)
    user = SESSIONS.get(sid)
    body = await _body(receive) if scope["method"] == "POST" else b""
    status, extra, content = await _route(scope, headers, user, sid, body)
    names = {k for k, _ in extra}
    response_headers = [*extra]
    if b"content-type" not in names:
        response_headers.append((b"content-type", b"text/html; charset=utf-8"))
    if fresh and b"set-cookie" not in names:
        response_headers.append((b"set-cookie", f"sid={sid}; Path=/".encode()))
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": content.encode()})


def _csrf(sid: str) -> str:
    token = secrets.token_urlsafe(12)
    CSRF.setdefault(sid, set()).add(token)
    return token


async def _route(
    scope: Scope, headers: dict[str, str], user: str | None, sid: str, body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], str]:
    path, method = scope["path"], scope["method"]
    if path == "/":
        links = '<a href="/greet?name=you">greet</a> <a href="/dashboard">home</a> <a href="/login">login</a>'
        return 200, [], _page("Home", links)
    if path == "/greet":
        name = _query(scope["query_string"]).get("name", "")
        return 200, [], _page("Greet", f"<p>Hello {name}</p>")
    if path == "/login":
        return _login(method, sid, body)
    if path.startswith("/api/"):
        return _api(path, method, headers, body)
    if not path.startswith(("/dashboard", "/settings")):
        return 404, [], _page("Not found", f"no page at {unquote(scope['raw_path'].decode())}")
    if user is None:
        return 302, [(b"location", b"/login")], ""
    display = USERS[user][1]
    if path == "/dashboard":
        return 200, [], _page("Dashboard", f"<p>Welcome back, {display}</p><a href='/settings'>Settings</a>")
    if path == "/settings":
        return 200, [], _page("Settings", "<a href='/settings/profile'>Profile</a>")
    if path == "/settings/profile":
        return 200, [], _page("Profile", "<a href='/settings/profile/edit'>Edit profile</a>")
    if path == "/settings/profile/edit":
        form = (
            f"<form method='post' action='/settings/profile/save'><input type='hidden' name='csrf' "
            f"value='{_csrf(sid)}'><input name='display'><input type='email' name='email'>"
            "<input type='number' name='age' min='18'><button>Save</button></form>"
        )
        return 200, [], _page("Edit", form)
    if path == "/settings/profile/save" and method == "POST":
        fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
        if fields.get("csrf") not in CSRF.get(sid, set()):
            return 403, [], _page("Forbidden", "bad CSRF token")
        CSRF[sid].discard(fields["csrf"])
        if not all(fields.get(k) for k in ("display", "email", "age")):
            return 400, [], _page("Incomplete", "please complete every field")
        return 200, [], _page("Saved", f"<p>Saved {fields['display']}</p>")
    return 404, [], _page("Not found", f"no page at {unquote(scope['raw_path'].decode())}")


def _login(method: str, sid: str, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], str]:
    if method == "GET":
        form = (
            f"<form method='post' action='/login'><input type='hidden' name='csrf' value='{_csrf(sid)}'>"
            "<input name='username'><input type='password' name='password'><button>Log in</button></form>"
        )
        return 200, [], _page("Log in", form)
    fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    known = USERS.get(fields.get("username", ""))
    if fields.get("csrf") not in CSRF.get(sid, set()) or known is None or known[0] != fields.get("password"):
        again = "<form method='post'><input name='username'><input type='password' name='password'></form>"
        return 200, [], _page("Log in", "wrong username or password" + again)
    new = secrets.token_urlsafe(24)
    SESSIONS[new] = fields["username"]
    return 302, [(b"location", b"/dashboard"), (b"set-cookie", f"sid={new}; Path=/; HttpOnly".encode())], ""


def _api(
    path: str, method: str, headers: dict[str, str], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], str]:
    json_type = [(b"content-type", b"application/json")]
    if path == "/api/login" and method == "POST":
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return 400, json_type, "{}"
        known = USERS.get(str(data.get("username", "")))
        if known is None or known[0] != data.get("password"):
            return 401, json_type, json.dumps({"error": "bad credentials"})
        token = secrets.token_urlsafe(32)
        TOKENS[token] = str(data["username"])
        return 200, json_type, json.dumps({"access_token": token, "token_type": "bearer"})
    if path == "/api/me":
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if token not in TOKENS:
            return 401, json_type, json.dumps({"error": "unauthorised"})
        return 200, json_type, json.dumps({"user": TOKENS[token]})
    return 404, json_type, "{}"
