"""Talk to examples/app.py the way a browser does: cookies by hand, Origin on POST, CSRF tokens
read from the page that holds the form."""

from __future__ import annotations

import re

import httpx

SID = "__Host-sid"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def cookie_from(response: httpx.Response) -> str | None:
    """The value the response's Set-Cookie gives the session cookie ('' when it clears it)."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == SID:
            return rest.split(";", 1)[0]
    return None


def _headers(cookie: str | None) -> dict[str, str]:
    return {"cookie": f"{SID}={cookie}"} if cookie is not None else {}


def get(
    base: str, path: str, cookie: str | None = None, client: httpx.Client | None = None
) -> httpx.Response:
    return (client or httpx).get(base + path, headers=_headers(cookie), timeout=10)  # type: ignore[union-attr]


def form_token(
    base: str, page: str, cookie: str | None = None, client: httpx.Client | None = None
) -> tuple[str, str | None]:
    """``(token, cookie)`` from the form on ``page``: the cookie is the one the page set (a new
    session), or ``cookie`` when the page kept the session it was given."""
    response = get(base, page, cookie, client)
    match = _TOKEN.search(response.text)
    if match is None:
        raise AssertionError(f"no csrf_token field on {page}: {response.status_code} {response.text[:200]}")
    issued = cookie_from(response)
    return match.group(1), issued or cookie


def post(
    base: str,
    path: str,
    cookie: str | None = None,
    *,
    token: str | None = None,
    client: httpx.Client | None = None,
    **kw: object,
) -> httpx.Response:
    """POST with Origin (as every browser sends) and, if given, the CSRF token header."""
    headers = {"origin": base, **_headers(cookie)}
    if token is not None:
        headers["x-csrf-token"] = token
    return (client or httpx).post(base + path, headers=headers, timeout=10, **kw)  # type: ignore[union-attr,arg-type]
