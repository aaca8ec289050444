"""The hardened example app: a small Starlette shop built on Sentinel.

Run it with ``uvicorn examples.app:app`` (or ``sentinel demo``). Its endpoints are a stable contract
that the tests and the scanner use:

- ``GET /``        HTML with links
- ``GET /login``   HTML form with ``username`` and ``password``
- ``POST /login``  form login; on success 303 to ``/me``; rate limited per account, IP and pair (429)
- ``POST /logout`` ends the session server-side
- ``GET /csrf-token`` ``{"csrf_token": ...}`` for scripts that need a fresh token without a reload
- ``GET /me``      ``{"user": name}`` when logged in, else 401 problem+json
- ``POST /cart``   an anonymous visitor's counter, kept in the session
- ``POST /import`` an XML order (``<order><item>…</item><note>…</note></order>``) in, JSON out;
  behind the XML guard

Configuration comes from the environment: ``SENTINEL_SECRET_KEYS`` (or ``SENTINEL_SECRET_KEYS_FILE``),
newest key first; ``SENTINEL_REDIS_URL`` to share sessions and login rate limits between processes;
``SENTINEL_PASSWORD_PROFILE`` (``default`` or ``owasp``); every other ``SENTINEL_*`` variable that
:func:`sentinel.protect` reads. With no key set, the app makes an ephemeral one and warns loudly:
sessions then die with the process.

The whole stack comes from one call, :func:`sentinel.protect`: request IDs, security headers, load
shedding, sessions, CSRF (Origin checks *and* a token in every form, bound to a signed pre-session
cookie for visitors and to the session once logged in, so browsing stores nothing server-side; JSON
clients send it as ``X-CSRF-Token``) and the XML guard. ``/login`` and ``/logout`` are declared as
such to the CSRF check, so a same-origin login or logout from a stale page works (``docs/csrf.md``).
Logged-in pages such as ``/me`` go out ``Cache-Control: private, no-store`` with ``Vary: Cookie``.

Logins go through :class:`sentinel.auth.Authenticator`: rate limit, argon2 verify off the event loop,
transparent rehash, session rotation, security event.
"""

from __future__ import annotations

import logging
import os
import secrets
import warnings
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

import sentinel
from examples.xml_import import import_route
from sentinel.auth import Authenticator, Credentials, Outcome
from sentinel.csrf import CSRFSettings, csrf_token, csrf_token_endpoint
from sentinel.passwords import PROFILES
from sentinel.problem import problem_response

logger = logging.getLogger("examples.app")

DEMO_USER = "alice"
DEMO_PASSWORD = "correct horse battery staple"  # noqa: S105 - the documented demo credential


class UserTable:
    """The demo's user table: a dict standing in for a database, with a compare-and-swap update."""

    def __init__(self, hasher: sentinel.PasswordHasher) -> None:
        self.hashes: dict[str, str] = {DEMO_USER: hasher.hash(DEMO_PASSWORD)}

    async def lookup(self, username: str) -> Credentials | None:
        stored = self.hashes.get(username)
        return None if stored is None else Credentials(user_id=username, password_hash=stored)

    async def save_hash(self, user_id: str, old: str, new: str) -> bool:
        if self.hashes.get(user_id) != old:
            return False
        self.hashes[user_id] = new
        return True


def _secret_keys() -> list[sentinel.Secret]:
    keys = sentinel.keys_from_env(required=False)
    if keys is not None:
        return keys
    message = (
        "SENTINEL_SECRET_KEYS is not set: using an EPHEMERAL signing key. Sessions will not survive a "
        "restart or be shared between processes. Set SENTINEL_SECRET_KEYS in production (make a key "
        "with `sentinel keygen`)."
    )
    logger.warning(message)
    warnings.warn(message, sentinel.SentinelUnsafeWarning, stacklevel=2)
    return [sentinel.Secret(secrets.token_bytes(48))]


def _problem(status: int, slug: str, title: str, detail: str) -> Response:
    body = {"type": f"urn:sentinel:problem:{slug}", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


LOGIN_FORM = """<!doctype html><title>Log in</title>
<h1>Log in</h1>{error}
<form method="post" action="/login">
  <input type="hidden" name="csrf_token" value="{token}">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Log in</button>
</form>"""


async def home(request: Request) -> Response:
    token = csrf_token(request)
    return HTMLResponse(
        "<!doctype html><title>Sentinel example</title><h1>Sentinel example shop</h1><ul>"
        '<li><a href="/login">Log in</a></li><li><a href="/me">Who am I</a></li></ul>'
        '<form method="post" action="/cart">'
        f'<input type="hidden" name="csrf_token" value="{token}">'
        "<button>Add to cart</button></form>"
        '<form method="post" action="/logout">'
        f'<input type="hidden" name="csrf_token" value="{token}">'
        "<button>Log out</button></form>"
    )


def _login_page(request: Request, error: str = "", status: int = 200) -> Response:
    return HTMLResponse(LOGIN_FORM.format(error=error, token=csrf_token(request)), status_code=status)


async def login_form(request: Request) -> Response:
    return _login_page(request)


async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    authenticator: Authenticator = request.app.state.authenticator
    result = await authenticator.login(request, username, password)
    if result.ok:
        return RedirectResponse("/me", status_code=303)
    if result.outcome is Outcome.INVALID:
        return _login_page(request, "<p role='alert'>Invalid username or password.</p>", 401)
    return problem_response(result.problem(), request)  # 429 rate limited, or 503 busy


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


def create_app() -> sentinel.Protected:
    """Build the app from the environment (tests call this with their own environment)."""
    profile = PROFILES[os.environ.get("SENTINEL_PASSWORD_PROFILE", "default")]
    hasher = sentinel.PasswordHasher(profile=profile)
    users = UserTable(hasher)
    shop = Starlette(
        routes=[
            Route("/", home),
            Route("/login", login_form, methods=["GET"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/me", me),
            Route("/cart", cart, methods=["POST"]),
            Route("/csrf-token", csrf_token_endpoint),
            import_route,
        ],
    )
    csrf = CSRFSettings.from_env(login_paths=("/login",), logout_paths=("/logout",))
    protected = sentinel.protect(shop, secret_keys=_secret_keys(), csrf=csrf)
    shop.state.authenticator = Authenticator(
        hasher=hasher, limiter=protected.limiter, lookup=users.lookup, save_hash=users.save_hash
    )
    return protected


app = create_app()


if __name__ == "__main__":  # python -m examples.app: bind from SENTINEL_HOST/SENTINEL_PORT (loopback)
    import uvicorn

    uvicorn.run(app, host=app.settings.host, port=app.settings.port)
