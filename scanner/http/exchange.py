"""Requests the scanner means to send, and what came back, as immutable records.

A :class:`RequestSpec` is data, not a client call: discovery produces them, active checks (issue #7)
derive payload variants from them through :mod:`scanner.discovery.endpoints` insertion points, and the
engine sends them. An :class:`Exchange` is the record of one sent request and its response; the scan
keeps a bounded log of them for the passive checks and for evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from scanner.http.cookies import SetCookie, parse_set_cookie

Pairs = tuple[tuple[str, str], ...]


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

    def full_url(self) -> str:
        if not self.params:
            return self.url
        parts = urlsplit(self.url)
        extra = urlencode(self.params)
        query = f"{parts.query}&{extra}" if parts.query else extra
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def body(self) -> tuple[bytes, str | None]:
        """The encoded body and its content type."""
        if self.content is not None:
            return self.content, self.content_type or "application/octet-stream"
        if self.form is not None:
            return urlencode(self.form).encode(), "application/x-www-form-urlencoded"
        if self.json_body is not None:
            return json.dumps(self.json_body).encode(), "application/json"
        return b"", None


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


__all__ = ["Exchange", "Pairs", "RequestSpec"]
