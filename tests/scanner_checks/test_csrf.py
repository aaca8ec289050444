"""The CSRF check's decisions on small apps of our own: a login form without a token is login CSRF
(low), the same form with an Origin check is protected, and a password-change form is never
submitted at all."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from scanner import Severity
from tests.scanner_injection.conftest import scan_in_process

PAGE = (
    '<form method="post" action="/login"><input name="username"><input type="password" name="password">'
    "<button>Log in</button></form>"
    '<form method="post" action="/account/password"><input type="password" name="old_password">'
    '<input type="password" name="new_password"><button>Change</button></form>'
)


def _app(*, origin_check: bool) -> tuple[Starlette, list[str]]:
    posted: list[str] = []

    async def home(request: Request) -> Response:
        return HTMLResponse(PAGE)

    async def login(request: Request) -> Response:
        posted.append("login")
        origin = request.headers.get("origin", "")
        if origin_check and origin != f"{request.url.scheme}://{request.url.netloc}":
            return HTMLResponse("cross-site request refused", status_code=403)
        return HTMLResponse("wrong user name or password", status_code=401)

    async def password(request: Request) -> Response:
        posted.append("password")
        return HTMLResponse("changed")

    routes = [
        Route("/", home),
        Route("/login", login, methods=["POST"]),
        Route("/account/password", password, methods=["POST"]),
    ]
    return Starlette(routes=routes), posted


async def test_a_login_form_without_a_token_is_login_csrf_at_low_severity() -> None:
    app, posted = _app(origin_check=False)
    result = await scan_in_process(app, checks=frozenset({"csrf"}))
    (finding,) = result.findings
    assert finding.rule.id == "SNT212" and finding.severity is Severity.LOW
    assert "login CSRF" in finding.message
    assert "password" not in posted  # the password-change form is never submitted


async def test_an_origin_check_protects_the_same_form() -> None:
    app, posted = _app(origin_check=True)
    result = await scan_in_process(app, checks=frozenset({"csrf"}))
    assert result.findings == ()
    check = next(c for c in result.checks if c.name == "csrf")
    assert check.status == "passed" and "1 protected" in check.reason
    assert "password-change" in check.reason and "password" not in posted
