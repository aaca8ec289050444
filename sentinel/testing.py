"""Test a protected app the way a browser uses it: log in, post forms with tokens, log out.

``SentinelClient`` is Starlette's (and so FastAPI's) ``TestClient`` with two differences:

- **Its base URL is ``https://testserver``.** Sentinel's session cookie is ``__Host-`` and
  ``Secure``; a cookie jar (httpx's, a browser's) never sends a Secure cookie back over plain
  ``http://``. On ``TestClient``'s default ``http://testserver`` the session silently vanishes
  after the first response, and the next POST fails with ``csrf-token-invalid``. No TLS is
  involved: the ASGI scope just says ``https``, as it does behind a TLS-terminating proxy.
- **It gets CSRF tokens as a browser does**, from the page the form is on: the hidden
  ``csrf_token`` field, or else a ``<meta name="csrf-token">`` tag for JavaScript. It never reads
  Sentinel's internals, so what passes here passes in a browser, and tests keep working however the
  tokens are bound.

::

    from sentinel.testing import SentinelClient

    def test_checkout(app):
        with SentinelClient(app) as client:
            client.login("/login", username="alice", password="correct horse battery staple")
            assert client.submit("/cart", {"item": "42"}).status_code == 303
            client.logout("/logout")

Needs Starlette's test client dependency (``httpx2``, or ``httpx``, which Starlette warns about).
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from starlette.testclient import TestClient

from sentinel.errors import SentinelError

#: TestClient's host, over https so the ``__Host-``/Secure session cookie is sent back.
BASE_URL = "https://testserver"
FIELD_NAME = "csrf_token"
HEADER_NAME = "X-CSRF-Token"
META_NAME = "csrf-token"

_TAG = re.compile(r"<(?:input|meta)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


class TokenNotFound(SentinelError, LookupError):
    """The page has no CSRF token to submit: the form or template forgot ``csrf_token(request)``."""


def find_csrf_token(html: str, *, field: str = FIELD_NAME, meta: str = META_NAME) -> str:
    """The CSRF token a browser would submit from ``html``: the hidden ``field`` of the first form
    that has one, else the ``<meta name="{meta}">`` tag's content. :class:`TokenNotFound` if neither."""
    metas = []
    for tag in _TAG.findall(html):
        attrs = {m[0].lower(): unescape(m[1] or m[2] or m[3]) for m in _ATTR.findall(tag)}
        if tag[1:6].lower() == "input" and attrs.get("name") == field and attrs.get("value"):
            return attrs["value"]
        if tag[1:5].lower() == "meta" and attrs.get("name") == meta and attrs.get("content"):
            metas.append(attrs["content"])
    if metas:
        return metas[0]
    raise TokenNotFound(
        f'no CSRF token in the page: render <input type="hidden" name="{field}" '
        f'value="{{csrf_token(request)}}"> in the form, or <meta name="{meta}" content="...">'
    )


class SentinelClient(TestClient):
    """``TestClient`` on ``https://testserver`` with form, login, logout and JSON helpers."""

    def __init__(self, app: Any, base_url: str = BASE_URL, **kwargs: Any) -> None:
        if base_url.startswith("http://"):
            raise ValueError(
                f"base_url {base_url!r}: use https://, or the __Host-/Secure session cookie is never "
                "sent back and every POST after the first response fails its CSRF check"
            )
        super().__init__(app, base_url=base_url, **kwargs)

    def csrf_token(self, page: str = "/", *, field: str = FIELD_NAME) -> str:
        """GET ``page`` and return the token from its form field or meta tag, or, for a JSON token
        endpoint (docs/fastapi.md), from its ``csrf_token`` member."""
        response = self.get(page)
        response.raise_for_status()
        if response.headers.get("content-type", "").startswith("application/json"):
            token = response.json().get(field)
            if not isinstance(token, str) or not token:
                raise TokenNotFound(f"{page} answered JSON without a {field!r} member")
            return token
        return find_csrf_token(response.text, field=field)

    def submit(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        form_page: str | None = None,
        field: str = FIELD_NAME,
        follow_redirects: bool = False,
    ) -> Any:
        """POST ``data`` to ``path`` as a form, with the token from ``form_page`` (default: ``path``
        itself, where a form usually posts back). Redirects are not followed, so a test sees the 303."""
        token = self.csrf_token(form_page or path, field=field)
        return self.post(path, data={**(data or {}), field: token}, follow_redirects=follow_redirects)

    def login(
        self,
        path: str = "/login",
        *,
        username: str,
        password: str,
        form_page: str | None = None,
        username_field: str = "username",
        password_field: str = "password",  # noqa: S107 - a form field's name, not a password
    ) -> Any:
        """Submit the login form; the response (a 303 on success) is returned, not checked."""
        data = {username_field: username, password_field: password}
        return self.submit(path, data, form_page=form_page)

    def logout(self, path: str = "/logout", *, form_page: str = "/") -> Any:
        """Submit the logout form found on ``form_page``."""
        return self.submit(path, {}, form_page=form_page)

    def post_json(
        self,
        path: str,
        json: Any,
        *,
        token_page: str = "/",  # noqa: S107 - the page to read the token from, not a token
        header: str = HEADER_NAME,
        **kwargs: Any,
    ) -> Any:
        """POST ``json`` with the token in the ``X-CSRF-Token`` header, as page JavaScript does."""
        token = self.csrf_token(token_page)
        headers = {**kwargs.pop("headers", {}), header: token}
        return self.post(path, json=json, headers=headers, **kwargs)


__all__ = [
    "BASE_URL",
    "FIELD_NAME",
    "HEADER_NAME",
    "META_NAME",
    "SentinelClient",
    "TokenNotFound",
    "find_csrf_token",
]
