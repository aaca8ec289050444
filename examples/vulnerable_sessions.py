"""A DELIBERATELY VULNERABLE app: every session flaw Sentinel's scanner checks for, on purpose.

Never deploy it, never bind it beyond loopback: ``uvicorn examples.vulnerable_sessions:app --host
127.0.0.1``. ``sentinel demo`` and the scanner's end-to-end tests serve it next to the hardened
``examples/app.py`` and scan both. Log in as ``alice`` / ``correct horse battery staple``.

Planted flaws (each one is the ground truth for one scanner rule; the code marks them ``# FLAW Vn``):

- V1  session ID in URLs: links and the post-login redirect carry it as ``?ref=<id>``, a parameter
      name no name-based scanner would flag (SNT101, CWE-598).
- V2  session accepted from the URL: ``?ref=<id>`` authenticates with no cookie (SNT102, CWE-598).
- V3  no rotation at login: the pre-login ID becomes the logged-in one (SNT103, CWE-384).
- V4  unknown IDs adopted: a made-up ``SESSIONID`` cookie becomes a real session (SNT104, CWE-384).
- V5  logout only clears the cookie; the session stays valid server-side (SNT105, CWE-613).
- V6  predictable, low-entropy IDs: a counter with a fixed stride from a random start, printed as 16
      hex digits; it looks random at a glance, but neighbours are 7919 apart (SNT106/SNT107, CWE-330).
- V7  cookie flags: no HttpOnly, no Secure, no SameSite, no ``__Host-`` prefix, and ``Max-Age`` makes
      it persistent (SNT108-SNT113).
- V8  no brute-force protection on ``POST /login`` (SNT114, CWE-307).

The login form *does* carry a CSRF token (a hidden field tied to the session), so a scanner must read
and resubmit the form, not post blind. ``/openapi.json`` describes the JSON API for discovery.
"""

from __future__ import annotations

import hmac
import itertools
import secrets
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

DEMO_USER = "alice"
DEMO_PASSWORD = "correct horse battery staple"  # noqa: S105 - the documented demo credential
COOKIE = "SESSIONID"
STRIDE = 7919

# FLAW V6: a counter. Starting from a random offset only hides it from people, not from arithmetic.
_ids = itertools.count(secrets.randbits(56), STRIDE)
SESSIONS: dict[str, dict[str, str | None]] = {}
NOTES = [{"id": "1", "title": "groceries"}, {"id": "2", "title": "ideas"}]


def _new_id() -> str:
    return f"{next(_ids) & (2**64 - 1):016x}"


def _session(request: Request) -> tuple[str, dict[str, str | None], bool]:
    """(id, record, created). FLAW V2: the URL wins over the cookie. FLAW V4: unknown IDs adopted."""
    sid = request.query_params.get("ref") or request.cookies.get(COOKIE)
    if sid and sid in SESSIONS:
        return sid, SESSIONS[sid], False
    sid = sid or _new_id()
    SESSIONS[sid] = {"user": None, "csrf": secrets.token_urlsafe(16)}
    return sid, SESSIONS[sid], True


def _with_cookie(response: Response, sid: str) -> Response:
    # FLAW V7: no HttpOnly, Secure or SameSite; no __Host- prefix; persistent for a day.
    response.headers.append("set-cookie", f"{COOKIE}={sid}; Path=/; Max-Age=86400")
    return response


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>{body}", status
    )


async def home(request: Request) -> Response:
    sid, _, created = _session(request)
    # FLAW V1: the session ID is written into every link.
    links = (
        f'<ul><li><a href="/login?ref={sid}">Sign in</a></li><li><a href="/dashboard?ref={sid}">Dashboard</a>'
        '</li><li><a href="/about">About</a></li><li><a href="/api/notes?q=ideas">Notes API</a></li></ul>'
    )
    response = _page("Notes (vulnerable demo)", links)
    return _with_cookie(response, sid) if created else response


async def about(request: Request) -> Response:
    return _page("About", "<p>A deliberately vulnerable demo. <a href='/'>Home</a></p>")


async def login_form(request: Request) -> Response:
    sid, record, created = _session(request)
    form = (
        '<form method="post" action="/login">'
        f'<input type="hidden" name="csrf_token" value="{record["csrf"]}">'
        '<label>User <input name="username"></label>'
        '<label>Password <input name="password" type="password"></label><button>Sign in</button></form>'
    )
    response = _page("Sign in", form)
    return _with_cookie(response, sid) if created else response


async def login(request: Request) -> Response:
    sid, record, created = _session(request)
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf_token", "")), str(record.get("csrf") or "")):
        return _page("Sign in", "<p>Bad CSRF token.</p>", 400)
    # FLAW V8: no rate limit, no lockout, no delay, however many failures.
    ok = form.get("username") == DEMO_USER and hmac.compare_digest(
        str(form.get("password", "")), DEMO_PASSWORD
    )
    if not ok:
        return _page("Sign in", "<p>Wrong user name or password.</p>", 401)
    record["user"] = DEMO_USER  # FLAW V3: the same ID, now authenticated.
    response = RedirectResponse(f"/dashboard?ref={sid}", status_code=303)  # FLAW V1 in Location
    return _with_cookie(response, sid) if created else response


async def dashboard(request: Request) -> Response:
    sid, record, _ = _session(request)
    if not record.get("user"):
        return _page("Dashboard", "<p>Please <a href='/login'>sign in</a>.</p>", 401)
    body = (
        f"<p>Signed in as {escape(str(record['user']))}.</p><p><a href='/about?ref={sid}'>About</a></p>"
        '<form method="post" action="/logout"><button>Sign out</button></form>'
    )
    return _page("Dashboard", body)


async def logout(request: Request) -> Response:
    # FLAW V5: the browser forgets the cookie; the server keeps the session authenticated.
    response = RedirectResponse("/", status_code=303)
    response.headers.append("set-cookie", f"{COOKIE}=; Path=/; Max-Age=0")
    return response


async def api_me(request: Request) -> Response:
    _, record, _ = _session(request)
    if not record.get("user"):
        return JSONResponse({"error": "not signed in"}, status_code=401)
    return JSONResponse({"user": record["user"]})


async def api_notes(request: Request) -> Response:
    query = request.query_params.get("q", "")
    return JSONResponse([n for n in NOTES if query.lower() in n["title"]])


OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Vulnerable notes", "version": "1"},
    "paths": {
        "/api/me": {"get": {"responses": {"200": {"description": "the signed-in user"}}}},
        "/api/notes": {
            "get": {
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "example": "ideas"}}
                ],
                "responses": {"200": {"description": "matching notes"}},
            }
        },
    },
}


async def openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/about", about),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/dashboard", dashboard),
        Route("/logout", logout, methods=["POST"]),
        Route("/api/me", api_me),
        Route("/api/notes", api_notes),
        Route("/openapi.json", openapi),
    ]
)
