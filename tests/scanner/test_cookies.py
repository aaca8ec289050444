"""Set-Cookie parsing and the per-probe jar: total on hostile input, browser-like on the rest."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from scanner.config import LOOPBACK_LIMITS
from scanner.http import HttpEngine, parse_set_cookie
from scanner.http.cookies import CookieJar, path_matches
from scanner.scope import ScopeGuard


def test_parse_attributes() -> None:
    cookie = parse_set_cookie('__Host-sid="a.b"; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=60')
    assert cookie is not None
    assert (cookie.name, cookie.value, cookie.path) == ("__Host-sid", "a.b", "/")
    assert cookie.secure and cookie.httponly
    assert cookie.attribute("samesite") == "Lax"
    assert cookie.expires_at(1000.0) == 1060.0
    assert parse_set_cookie("no-equals-sign") is None
    assert parse_set_cookie("sid=x; Max-Age=0").is_deletion(0.0)  # type: ignore[union-attr]
    assert parse_set_cookie("sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT").is_deletion(10.0)  # type: ignore[union-attr]


@given(st.text(max_size=300))
def test_parser_never_raises(header: str) -> None:
    cookie = parse_set_cookie(header)
    if cookie is not None:
        cookie.expires_at(0.0)
        assert cookie.name


def test_path_matching_follows_rfc6265() -> None:
    assert path_matches("/a/b", "/a")
    assert path_matches("/a/", "/a/")
    assert not path_matches("/ab", "/a")


def test_secure_cookies_only_over_https_or_to_loopback() -> None:
    jar = CookieJar()
    jar.store(parse_set_cookie("s=1; Secure; Path=/"))  # type: ignore[arg-type]
    assert jar.header_for("/", https=False, loopback=False) == (None, False)
    assert jar.header_for("/", https=False, loopback=True) == ("s=1", True)
    assert jar.header_for("/", https=True, loopback=False) == ("s=1", False)


def _echo_app() -> Starlette:
    """Echoes ?sid= into Set-Cookie, like the app that crashed wapiti's shared cookie jar."""

    async def page(request: Request) -> Response:
        response = PlainTextResponse("ok")
        response.headers.append("set-cookie", f"sid={request.query_params.get('sid', 'fresh')}; Path=/")
        return response

    return Starlette(routes=[Route("/", page)])


async def test_a_payload_in_one_probe_cannot_corrupt_another() -> None:
    engine = HttpEngine(
        LOOPBACK_LIMITS, ScopeGuard("http://t/"), transport=httpx.ASGITransport(app=_echo_app())
    )
    async with engine.probe("clean") as clean, engine.probe("attack", crafted=True) as attack:
        await clean.get("http://t/")
        for payload in ['a"b;c=d,e', "\x7f", "x" * 4000, "é;;;==", '"']:
            await attack.get("http://t/?" + httpx.QueryParams({"sid": payload}).__str__())
        assert clean.jar.get("sid") == "fresh"
        answer = await clean.get("http://t/")
    assert answer.request_header("cookie") == "sid=fresh"
