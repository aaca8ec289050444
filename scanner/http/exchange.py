"""Requests the scanner means to send, and what came back, as immutable records.

A :class:`RequestSpec` is data, not a client call: discovery produces them, active checks (issue #7)
derive payload variants from them through :mod:`scanner.discovery.endpoints` insertion points, and the
engine sends them. An :class:`Exchange` is the record of one sent request and its response; the scan
keeps a bounded log of them for the passive checks and for evidence.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from scanner.http.cookies import SetCookie, parse_set_cookie

Pairs = tuple[tuple[str, str], ...]


def query_string(pairs: Pairs) -> str:
    """``a=1&b=x%20y``: RFC 3986 percent-encoding (``%20`` for a space, nothing left unescaped but
    unreserved characters)."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


@dataclass(frozen=True, kw_only=True)
class FilePart:
    """One file of a ``multipart/form-data`` body, as a browser's file input sends it."""

    field: str
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, kw_only=True)
class RequestSpec:
    """One request to send. ``form``, ``json_body`` and ``content`` (a raw body, e.g. an XML document,
    sent with ``content_type``) are exclusive; ``params`` extend the URL."""

    url: str
    method: str = "GET"
    params: Pairs = ()
    form: Pairs | None = None
    json_body: Any = None
    headers: Pairs = ()
    content: bytes | None = None
    content_type: str | None = None
    #: Files: with them, ``form`` and the files go as ``multipart/form-data``.
    files: tuple[FilePart, ...] = ()

    def full_url(self) -> str:
        """The URL with ``params`` appended as a browser's address bar sends them: every reserved
        character percent-encoded, spaces as ``%20`` (RFC 3986), never ``+``. A server that decodes
        its query with ``unquote`` (not ``unquote_plus``) then sees the payload as written."""
        if not self.params:
            return self.url
        parts = urlsplit(self.url)
        extra = query_string(self.params)
        query = f"{parts.query}&{extra}" if parts.query else extra
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def body(self) -> tuple[bytes, str | None]:
        """The encoded body and its content type."""
        if self.content is not None:
            return self.content, self.content_type or "application/octet-stream"
        if self.files:
            return multipart(self.form or (), self.files)
        if self.form is not None:
            # The HTML form serialiser: spaces as "+", everything else percent-encoded, as browsers send.
            return urlencode(self.form).encode(), "application/x-www-form-urlencoded"
        if self.json_body is not None:
            return json.dumps(self.json_body).encode(), "application/json"
        return b"", None


def multipart(fields: Pairs, files: tuple[FilePart, ...]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body (RFC 7578) with a random boundary, fields first, as browsers
    order a form's controls."""
    boundary = f"----sentinel{secrets.token_hex(12)}"
    chunks: list[bytes] = []
    for name, value in fields:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for part in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(part.field)}"; '
            f'filename="{_quoted(part.filename)}"\r\nContent-Type: {part.content_type}\r\n\r\n'
        )
        chunks.append(head.encode() + part.content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _quoted(name: str) -> str:
    """A name inside a quoted Content-Disposition parameter, escaped as the HTML standard does."""
    return name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


@dataclass(frozen=True, kw_only=True)
class Exchange:
    """One request as sent and its response as received (body capped, see ``Limits``)."""

    probe: str
    crafted: bool
    method: str
    url: str
    request_headers: Pairs
    request_body: bytes
    status: int
    response_headers: Pairs
    body: bytes
    elapsed: float
    history: tuple[Exchange, ...] = field(default=(), repr=False)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.response_headers:
            if key == name:
                return value
        return None

    def headers_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.response_headers if key == name]

    def request_header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.request_headers:
            if key == name:
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml")

    @property
    def location(self) -> str | None:
        return self.header("location") if 300 <= self.status < 400 else None

    def set_cookies(self) -> list[SetCookie]:
        parsed = (parse_set_cookie(h) for h in self.headers_all("set-cookie"))
        return [c for c in parsed if c is not None]

    def chain(self) -> tuple[Exchange, ...]:
        """Every hop of a followed redirect chain, this one last."""
        return (*self.history, self)


__all__ = ["Exchange", "FilePart", "Pairs", "RequestSpec", "multipart", "query_string"]
