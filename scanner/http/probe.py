"""A probe's client: its own cookie jar and connections, sending through the shared engine.

Redirects are followed by hand, hop by hop, so every ``Location`` passes the scope guard: one that
leaves the target's origin is refused (not requested) and noted. Cookies are kept per probe; a Secure
cookie rides on plain http only to a loopback target, and the scan notes that it did.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import httpx

from scanner.errors import RequestFailed
from scanner.http.cookies import CookieJar
from scanner.http.engine import USER_AGENT
from scanner.http.exchange import Exchange, RequestSpec

if TYPE_CHECKING:
    from scanner.http.engine import HttpEngine

MAX_REDIRECTS = 5
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Cookie values at least this long are masked in all evidence (shorter ones are flags like "1").
MIN_REDACTED_COOKIE = 8
SECURE_ON_HTTP_NOTE = (
    "Secure cookies were sent over plain http to the loopback target, as browsers do for localhost"
)


class ProbeClient:
    """Create with :meth:`HttpEngine.probe`; one per check flow."""

    def __init__(
        self, engine: HttpEngine, transport: httpx.AsyncBaseTransport, *, name: str, crafted: bool
    ) -> None:
        self.engine = engine
        self.name = name
        self.crafted = crafted
        self.jar = CookieJar()
        #: Headers this probe adds to every request: a bearer token from a login, say.
        self.auth_headers: list[tuple[str, str]] = []
        self._transport = transport

    async def get(self, url: str, **options: bool) -> Exchange:
        return await self.send(RequestSpec(url=url), **options)

    async def send(
        self,
        spec: RequestSpec,
        *,
        follow_redirects: bool = False,
        retry: bool = True,
        use_cookies: bool = True,
    ) -> Exchange:
        """Send ``spec`` (following in-scope redirects if asked); the last hop's exchange, with the
        earlier hops in ``history``. Raises OutOfScope before sending anything out of scope."""
        history: list[Exchange] = []
        method, url = spec.method.upper(), spec.full_url()
        body, content_type = spec.body()
        headers = list(spec.headers)
        while True:
            exchange = await self._hop(method, url, headers, body, content_type, retry, use_cookies)
            target = exchange.location
            if not follow_redirects or target is None or len(history) >= MAX_REDIRECTS:
                return _with_history(exchange, history)
            resolved = self.engine.scope.resolve(target, url)
            if resolved is None:
                self.engine.note(f"a redirect off scope was refused: {exchange.url} -> {target[:200]}")
                return _with_history(exchange, history)
            history.append(exchange)
            if exchange.status == 303 or (exchange.status in (301, 302) and method == "POST"):
                method, body, content_type = "GET", b"", None
            url = resolved

    async def _hop(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        content_type: str | None,
        retry: bool,
        use_cookies: bool,
    ) -> Exchange:
        engine = self.engine
        parts = urlsplit(url)
        if not parts.path:  # "http://host" means "http://host/": record it the way it is sent
            parts = parts._replace(path="/")
            url = urlunsplit(parts)
        engine.scope.check(url)
        own = {k.lower() for k, _ in headers}  # a header the spec sets replaces the default one
        defaults = [("user-agent", USER_AGENT), ("accept", "*/*"), *engine.headers]
        if use_cookies:  # a probe that goes without cookies goes without its session token too
            defaults += self.auth_headers
        sent = [(k.lower(), v) for k, v in defaults if k.lower() not in own]
        sent += [(k.lower(), v) for k, v in headers]
        if method not in SAFE_METHODS and not any(k == "origin" for k, _ in sent):
            # Browsers send Origin on every unsafe request, same-origin ones included; an app with
            # origin-based CSRF protection must see the scanner's forms as a browser's.
            sent.append(("origin", f"{parts.scheme}://{parts.netloc}"))
        if content_type and body:
            sent.append(("content-type", content_type))
        if use_cookies:
            cookie_header, secure_on_http = self.jar.header_for(
                parts.path or "/", https=engine.scope.is_https, loopback=engine.scope.is_loopback
            )
            if cookie_header:
                sent.append(("cookie", cookie_header))
            if secure_on_http:
                engine.note(SECURE_ON_HTTP_NOTE)
        # Header values were decoded as latin-1 from the wire; encoding them back the same way replays
        # a server's odd cookie byte for byte instead of crashing on it.
        raw_headers = [(k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in sent]
        try:
            request = httpx.Request(
                method,
                url,
                headers=raw_headers,
                content=body or None,
                extensions={"timeout": engine.timeout_extension()},
            )
        except (httpx.InvalidURL, ValueError) as exc:
            raise RequestFailed(url, f"cannot build the request: {exc}") from exc
        raw = await engine.perform(self._transport, request, retry=retry)
        exchange = Exchange(
            probe=self.name,
            crafted=self.crafted,
            method=method,
            url=url,
            request_headers=tuple(
                (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in request.headers.raw
            ),
            request_body=body,
            status=raw.status,
            response_headers=raw.headers,
            body=raw.body,
            elapsed=raw.elapsed,
        )
        for set_cookie in exchange.set_cookies():
            self.jar.store(set_cookie)
            if len(set_cookie.value) >= MIN_REDACTED_COOKIE:
                engine.redactor.add_session_id(set_cookie.value)
        engine.log.append(exchange)
        return exchange


def _with_history(exchange: Exchange, history: list[Exchange]) -> Exchange:
    if not history:
        return exchange
    return replace(exchange, history=tuple(history))


__all__ = ["MAX_REDIRECTS", "MIN_REDACTED_COOKIE", "SECURE_ON_HTTP_NOTE", "ProbeClient"]
