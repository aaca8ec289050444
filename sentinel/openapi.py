"""Swagger UI that works behind Sentinel: under a strict CSP, and with "Try it out" on POST.

FastAPI's built-in ``/docs`` page breaks behind :func:`sentinel.protect` in two ways:

- Under ``SENTINEL_HEADERS=strict`` its inline ``<script>`` and its CDN script and stylesheet are
  blocked (``script-src 'self'``): the page is blank.
- "Try it out" sends POSTs without a CSRF token, so each one is refused with 403.

:func:`swagger_ui_html` renders the same Swagger UI with this response's CSP nonce on every script
and stylesheet (so it loads under ``strict`` without loosening the policy for any other page), the
CSRF token in a ``<meta name="csrf-token">`` tag, and a ``requestInterceptor`` that sends that token
in the ``X-CSRF-Token`` header of every request the page makes. Assets come from jsDelivr, as
FastAPI's do; pass ``js_url`` and ``css_url`` to serve them yourself.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from starlette.responses import HTMLResponse

from sentinel.csrf import CSRFNotInstalled, csrf_token
from sentinel.headers import NonceUnavailable, csp_nonce

#: One exact release, with Subresource Integrity: the page gives these files its CSP nonce, so a
#: floating ``@5`` (any future release, or a compromised CDN) would run as a trusted script on the
#: app's origin, next to the CSRF token (red-team finding). Hashes computed from the npm tarball.
SWAGGER_VERSION = "5.36.0"
SWAGGER_JS = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_VERSION}/swagger-ui-bundle.js"
SWAGGER_CSS = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_VERSION}/swagger-ui.css"
_INTEGRITY = {
    SWAGGER_JS: "sha384-fUpRgC19yPykTqzdrUbdAg8NTiu16NEKf9U12J+IJWCg8/1mEI8f2+PEIz60Wyd+",
    SWAGGER_CSS: "sha384-z/AtSaOHGn5MJ5auAHXUypohywlIWLBZo1jeGmhdpVIbCnFhxAH92cwdV41oyINc",
}

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{token}">
<link rel="stylesheet" href="{css_url}" nonce="{nonce}"{css_sri}>
</head><body><div id="swagger-ui"></div>
<script src="{js_url}" nonce="{nonce}"{js_sri}></script>
<script nonce="{nonce}">
const csrf = document.querySelector('meta[name="csrf-token"]').content;
SwaggerUIBundle({{
  url: {openapi_url}, dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  requestInterceptor: (request) => {{ request.headers[{header}] = csrf; return request; }},
}});
</script></body></html>"""


def swagger_ui_html(
    request: Any,
    *,
    openapi_url: str = "/openapi.json",
    title: str = "API docs",
    js_url: str = SWAGGER_JS,
    css_url: str = SWAGGER_CSS,
    header: str = "X-CSRF-Token",
    js_integrity: str | None = None,
    css_integrity: str | None = None,
) -> HTMLResponse:
    """The Swagger UI page for ``request``, nonced and carrying its CSRF token (see module doc).

    With the headers guard or CSRF off (``SENTINEL_HEADERS=off``, ``SENTINEL_CSRF=off``) there is
    no nonce or token to give, and none is needed: the page renders without them. The pinned default
    files carry their integrity hashes; other URLs take ``js_integrity``/``css_integrity``.
    """
    try:
        nonce = csp_nonce(request)
    except NonceUnavailable:
        nonce = ""
    try:
        token = csrf_token(request)
    except CSRFNotInstalled:
        token = ""
    page = _PAGE.format(
        title=escape(title),
        token=escape(token),
        nonce=escape(nonce),
        css_url=escape(css_url),
        js_url=escape(js_url),
        js_sri=_sri(js_integrity or _INTEGRITY.get(js_url)),
        css_sri=_sri(css_integrity or _INTEGRITY.get(css_url)),
        openapi_url=json.dumps(openapi_url).replace("<", "\\u003c"),
        header=json.dumps(header).replace("<", "\\u003c"),
    )
    # The page holds a per-session token: never cache it.
    return HTMLResponse(page, headers={"cache-control": "no-store"})


def _sri(integrity: str | None) -> str:
    if not integrity:
        return ""
    return f' integrity="{escape(integrity)}" crossorigin="anonymous"'


__all__ = ["SWAGGER_CSS", "SWAGGER_JS", "SWAGGER_VERSION", "swagger_ui_html"]
