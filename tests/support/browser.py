"""Talk to examples/app.py the way a browser does: cookies by hand, Origin on POST, CSRF tokens
read from the page that holds the form.

A ``cookie`` here is what the browser holds: a bare session-cookie value (``id.signature``), or a
whole Cookie header (``name=value; ...``) when it holds more, such as the pre-session cookie an
anonymous visitor's CSRF tokens are bound to. :func:`form_token` returns the latter form.
"""

from __future__ import annotations

import re

import httpx

SID = "__Host-sid"
PRE = "__Host-sentinel-pre"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def cookie_from(response: httpx.Response) -> str | None:
    """The value the response's Set-Cookie gives the session cookie ('' when it clears it)."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == SID:
            return rest.split(";", 1)[0]
    return None


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """What the response's Set-Cookie headers give each name ('' when they clear it)."""
    found: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


def jar(cookie: str | None) -> dict[str, str]:
    """The cookies a ``cookie`` string holds, by name."""
    if not cookie:
        return {}
    if "=" not in cookie:
        return {SID: cookie}
    pairs = (part.strip().partition("=") for part in cookie.split(";"))
    return {name: value for name, _, value in pairs if name}


def merge(cookie: str | None, response: httpx.Response) -> str | None:
    """What the browser holds after ``response``: ``cookie`` updated by its Set-Cookie headers."""
    held = jar(cookie)
    for name, value in set_cookies(response).items():
        if value:
            held[name] = value
        else:
            held.pop(name, None)
    return "; ".join(f"{name}={value}" for name, value in held.items()) or None


def cookie_header(cookie: str | None) -> dict[str, str]:
    """The Cookie header a browser holding ``cookie`` sends."""
    if not cookie:
        return {}
    return {"cookie": cookie if "=" in cookie else f"{SID}={cookie}"}


_headers = cookie_header


def get(
    base: str, path: str, cookie: str | None = None, client: httpx.Client | None = None
) -> httpx.Response:
    return (client or httpx).get(base + path, headers=_headers(cookie), timeout=10)  # type: ignore[union-attr]


def form_token(
    base: str, page: str, cookie: str | None = None, client: httpx.Client | None = None
) -> tuple[str, str | None]:
    """``(token, cookie)`` from the form on ``page``: the cookie is what the browser holds afterwards
    (``cookie`` plus whatever the page set: a pre-session cookie for an anonymous visitor)."""
    response = get(base, page, cookie, client)
    match = _TOKEN.search(response.text)
    if match is None:
        raise AssertionError(f"no csrf_token field on {page}: {response.status_code} {response.text[:200]}")
    held = merge(cookie, response)
    if held is None:
        raise AssertionError(f"{page} gave a token but the browser holds no cookie it is bound to")
    return match.group(1), held


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
