"""The hardened example app: a small Starlette shop built on Sentinel.

Run it with ``uvicorn examples.app:app`` (or ``sentinel demo``). Its endpoints are a stable contract
that the tests and the scanner use:

- ``GET /``        HTML with links
- ``GET /login``   HTML form with ``username`` and ``password``
- ``POST /login``  form login; on success 303 to ``/me``
- ``POST /logout`` ends the session server-side
- ``GET /me``      ``{"user": name}`` when logged in, else 401 problem+json
- ``POST /cart``   an anonymous visitor's counter, kept in the session

Configuration comes from the environment: ``SENTINEL_SECRET_KEYS`` (or ``SENTINEL_SECRET_KEYS_FILE``),
newest key first; ``SENTINEL_REDIS_URL`` to share sessions between processes. With no key set, the app
makes an ephemeral one and warns loudly: sessions then die with the process.
"""

from __future__ import annotations

import logging
import os
import secrets
import warnings
from html import escape

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

import sentinel

logger = logging.getLogger("examples.app")

DEMO_USER = "alice"
DEMO_PASSWORD = "correct horse battery staple"  # noqa: S105 - the documented demo credential

_hasher = PasswordHasher()
USERS: dict[str, str] = {DEMO_USER: _hasher.hash(DEMO_PASSWORD)}
# Verified when the user does not exist, so a miss costs as much as a hit.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _secret_keys() -> list[sentinel.Secret]:
    keys = sentinel.keys_from_env()
    if keys is not None:
        return keys
    message = (
        "SENTINEL_SECRET_KEYS is not set: using an EPHEMERAL signing key. Sessions will not survive a "
        "restart or be shared between processes. Set SENTINEL_SECRET_KEYS in production."
    )
    logger.warning(message)
    warnings.warn(message, sentinel.SentinelUnsafeWarning, stacklevel=2)
    return [sentinel.Secret(secrets.token_bytes(48))]


def _store() -> sentinel.SessionStore:
    url = os.environ.get("SENTINEL_REDIS_URL")
    return sentinel.RedisStore(url) if url else sentinel.MemoryStore()


def _problem(status: int, slug: str, title: str, detail: str) -> Response:
    body = {"type": f"urn:sentinel:problem:{slug}", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


LOGIN_FORM = """<!doctype html><title>Log in</title>
<h1>Log in</h1>{error}
<form method="post" action="/login">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Log in</button>
</form>"""


async def home(request: Request) -> Response:
    return HTMLResponse(
        "<!doctype html><title>Sentinel example</title><h1>Sentinel example shop</h1><ul>"
        '<li><a href="/login">Log in</a></li><li><a href="/me">Who am I</a></li></ul>'
        '<form method="post" action="/cart"><button>Add to cart</button></form>'
    )


async def login_form(request: Request) -> Response:
    return HTMLResponse(LOGIN_FORM.format(error=""))


async def _password_ok(username: str, password: str) -> bool:
    stored = USERS.get(username)
    try:
        await run_in_threadpool(_hasher.verify, stored or _DUMMY_HASH, password)
    except VerificationError:
        return False
    return stored is not None


async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    if not await _password_ok(username, password):
        error = "<p role='alert'>Invalid username or password.</p>"
        return HTMLResponse(LOGIN_FORM.format(error=error), status_code=401)
    await sentinel.login(request, username)
    request.session["user"] = username
    return RedirectResponse("/me", status_code=303)


async def logout(request: Request) -> Response:
    await sentinel.logout(request)
    return RedirectResponse("/", status_code=303)


async def me(request: Request) -> Response:
    user = sentinel.get_session(request).user_id
    if user is None:
        return _problem(401, "not-authenticated", "Not logged in", "Log in at /login first.")
    return JSONResponse({"user": escape(user)})


async def cart(request: Request) -> Response:
    count = int(request.session.get("cart", 0)) + 1
    request.session["cart"] = count
    return JSONResponse({"cart": count})


def create_app() -> Starlette:
    """Build the app from the environment (tests call this with their own environment)."""
    return Starlette(
        routes=[
            Route("/", home),
            Route("/login", login_form, methods=["GET"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/me", me),
            Route("/cart", cart, methods=["POST"]),
        ],
        middleware=[Middleware(sentinel.SessionMiddleware, secret_keys=_secret_keys(), store=_store())],
    )


app = create_app()
