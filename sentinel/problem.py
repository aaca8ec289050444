"""RFC 9457 ``application/problem+json`` answers, sent straight through ASGI.

Every guard refuses a request the same way: a small JSON body with a stable ``type`` per error, so
clients and the scanner can tell refusals apart without parsing prose. Guards send it before the app
runs, so no framework object is needed.

A person is not a client: when the refused request is a browser *navigation* (a form submitted, a
link followed: ``Sec-Fetch-Mode: navigate``, ``Sec-Fetch-Dest: document``, or an ``Accept`` that
asks for ``text/html``), raw JSON in the window helps nobody. :func:`send_problem` given the request's
``scope`` then sends the same status and headers with a small HTML page instead: the title, the
detail, and a link back to the page the form was on (the ``Referer`` path when it is this site's,
else ``/``). Every value in it is escaped; nothing else of the request is reflected. API clients
(``fetch``/XHR, curl, httpx) still get ``application/problem+json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response

from sentinel.types import Scope, Send

PROBLEM_CONTENT_TYPE = b"application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:sentinel:problem:"
HTML_CONTENT_TYPE = b"text/html; charset=utf-8"
_HTML_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body><h1>{title}</h1><p>{detail}</p><p><a href="{back}">{back_text}</a></p>
<p><small>Error {status} ({type})</small></p></body></html>
"""


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One refusal: ``slug`` becomes the stable ``type`` URI, ``detail`` says what to change."""

    status: int
    slug: str
    title: str
    detail: str
    retry_after: int | None = None
    extra_headers: tuple[tuple[bytes, bytes], ...] = field(default=())
    #: What a person should read on the HTML page a refused navigation gets; ``title``/``detail``
    #: (written for developers) when ``None``.
    page_title: str | None = None
    page_detail: str | None = None

    def body(self) -> bytes:
        doc = {
            "type": PROBLEM_TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    def html_body(self, back: str = "/") -> bytes:
        """The HTML page for a refused navigation; ``back`` must be a same-origin path."""
        page = _HTML_PAGE.format(
            title=escape(self.page_title or self.title),
            detail=escape(self.page_detail or self.detail),
            back=escape(back, quote=True),
            back_text="Go back to the page" if back != "/" else "Go to the home page",
            status=self.status,
            type=escape(PROBLEM_TYPE_PREFIX + self.slug),
        )
        return page.encode()

    def headers(
        self, body_length: int, content_type: bytes = PROBLEM_CONTENT_TYPE
    ) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"content-type", content_type),
            (b"content-length", str(body_length).encode()),
            (b"cache-control", b"no-store"),
        ]
        if self.retry_after is not None:
            headers.append((b"retry-after", str(max(1, int(self.retry_after))).encode()))
        headers.extend(self.extra_headers)
        return headers


def _header(scope: Scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value).decode("latin-1")
    return ""


def is_navigation(scope: Scope) -> bool:
    """Whether a person's browser window shows the answer (a form submitted, a link followed)."""
    mode = _header(scope, b"sec-fetch-mode").strip().lower()
    if mode:  # Fetch Metadata, when sent, is exact: fetch()/XHR say "cors"/"same-origin"
        return mode == "navigate" or _header(scope, b"sec-fetch-dest").strip().lower() in (
            "document",
            "iframe",
        )
    accept = _header(scope, b"accept").lower()
    return "text/html" in accept or "application/xhtml+xml" in accept


def back_path(scope: Scope) -> str:
    """Where the page's link goes: the ``Referer`` path when it is this site's own URL, else ``/``."""
    referer = _header(scope, b"referer").strip()
    host = _header(scope, b"host").strip().lower()
    try:
        parts = urlsplit(referer)
    except ValueError:
        return "/"
    if not referer or parts.netloc.lower() != host or parts.scheme not in ("http", "https"):
        return "/"
    path = parts.path if parts.path.startswith("/") and not parts.path.startswith("//") else "/"
    return path + (f"?{parts.query}" if parts.query else "")


def problem_response(problem: Problem, request: Any = None) -> Response:
    """``problem`` as a Starlette response, for endpoints that return responses.

    With the ``request`` (a Starlette request, or its scope), a browser navigation gets the HTML page."""
    scope: Scope | None = None if request is None else getattr(request, "scope", request)
    if scope is not None and is_navigation(scope):
        body, content_type = problem.html_body(back_path(scope)), HTML_CONTENT_TYPE
    else:
        body, content_type = problem.body(), PROBLEM_CONTENT_TYPE
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in problem.headers(len(body))
        if name not in (b"content-type", b"content-length")
    }
    return Response(body, status_code=problem.status, headers=headers, media_type=content_type.decode())


async def send_problem(send: Send, problem: Problem, scope: Scope | None = None) -> None:
    """Send ``problem`` as a complete response; the caller must not have started one.

    With the request's ``scope``, a browser navigation gets the HTML page instead of JSON."""
    if scope is not None and is_navigation(scope):
        body, content_type = problem.html_body(back_path(scope)), HTML_CONTENT_TYPE
    else:
        body, content_type = problem.body(), PROBLEM_CONTENT_TYPE
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": problem.headers(len(body), content_type),
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = [
    "HTML_CONTENT_TYPE",
    "PROBLEM_CONTENT_TYPE",
    "PROBLEM_TYPE_PREFIX",
    "Problem",
    "back_path",
    "is_navigation",
    "problem_response",
    "send_problem",
]
