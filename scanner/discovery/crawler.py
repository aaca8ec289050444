"""The crawler: breadth-first over same-origin HTML links and forms, with a depth and page bound.

It only ever sends GET requests: links, and GET forms filled as a person would
(:mod:`scanner.discovery.fill`). POST forms are
recorded as endpoints (for the checks), never submitted. Logout-, sign-out- and delete-looking routes
are recorded (logout targets feed the logout check) but never requested; static assets and
off-scope URLs are skipped. Pages are deduplicated by path and parameter *names*, so a session ID or
a page number in the query cannot make the crawl endless.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from scanner.discovery.endpoints import Endpoint, endpoint_from_form, endpoint_from_url
from scanner.discovery.filters import is_dangerous, is_logout, is_static
from scanner.discovery.html import Form, parse_html
from scanner.errors import RequestFailed
from scanner.http.exchange import Exchange
from scanner.http.probe import ProbeClient

#: Called when a page answers as if the session were lost; returns True after a successful re-login.
Reauth = Callable[[ProbeClient, Exchange], Awaitable[bool]]


@dataclass(kw_only=True)
class Discovery:
    """Everything discovery found; endpoints are deduplicated by method, URL and parameter names."""

    endpoints: dict[tuple[str, str, tuple[tuple[str, str], ...]], Endpoint] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    login_forms: list[tuple[str, Form]] = field(default_factory=list)
    logout_targets: list[tuple[str, str]] = field(default_factory=list)
    #: Pages holding a logout form (their hidden fields, e.g. CSRF tokens, go with the logout).
    logout_pages: list[str] = field(default_factory=list)
    #: Pages that sent the crawler (anonymous) on to a login form: the best logged-in oracles.
    login_redirects: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)

    def add(self, endpoint: Endpoint) -> None:
        """Record ``endpoint`` unless a twin is known: the same method and URL up to a trailing slash
        (``/posts`` and ``/posts/``), with the same parameters, or with a subset of another's (an
        OpenAPI operation and the crawled form of it). The first seen is kept; a superset replaces it."""
        self.sources.add(endpoint.source)
        names = {(p.location, p.name) for p in endpoint.parameters}
        for key, known in list(self.endpoints.items()):
            if known.method != endpoint.method or _canonical(known.url) != _canonical(endpoint.url):
                continue
            theirs = {(p.location, p.name) for p in known.parameters}
            if names == theirs or (names and theirs and names <= theirs):
                return
            if names and theirs and theirs <= names:
                del self.endpoints[key]
        self.endpoints.setdefault(endpoint.key, endpoint)

    def alias(self, url: str, final: str) -> None:
        """``url`` (a page without parameters) redirects to ``final``: scan it once, as ``final``.
        A URL with parameters is kept: where it redirects may depend on them (an open redirect)."""
        if "?" in url:
            return
        for key in [
            k for k, e in self.endpoints.items() if e.method == "GET" and e.url == url and not e.parameters
        ]:
            endpoint = self.endpoints.pop(key)
            self.add(endpoint_from_url("GET", final, source=endpoint.source))

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def sorted_endpoints(self) -> list[Endpoint]:
        return [self.endpoints[k] for k in sorted(self.endpoints)]


def _canonical(url: str) -> str:
    """A URL without its trailing slash (the root stays ``/``): ``/a/`` and ``/a`` are one page."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def _page_key(url: str) -> tuple[str, frozenset[str]]:
    parts = urlsplit(url)
    return parts.path or "/", frozenset(k for k, _ in parse_qsl(parts.query, keep_blank_values=True))


class Crawler:
    """One crawl with one probe (anonymous, or logged in with ``reauth`` to recover a lost session)."""

    def __init__(
        self,
        probe: ProbeClient,
        found: Discovery,
        *,
        depth: int,
        max_pages: int,
        reauth: Reauth | None = None,
    ) -> None:
        self.probe = probe
        self.found = found
        self.depth = depth
        self.max_pages = max_pages
        self.reauth = reauth
        self._seen: set[tuple[str, frozenset[str]]] = set()
        self._queue: deque[tuple[str, int]] = deque()

    async def run(self, seeds: list[str]) -> None:
        for seed in seeds:
            self._enqueue(seed, 0)
        fetched = 0
        while self._queue and fetched < self.max_pages:
            url, level = self._queue.popleft()
            try:
                exchange = await self._fetch(url)
            except RequestFailed:
                self.found.skip("no answer")
                continue
            fetched += 1
            self.found.pages.append(url)
            if self._sent_to_login(exchange):
                if url not in self.found.login_redirects:
                    self.found.login_redirects.append(url)
            elif exchange.history and 200 <= exchange.status < 300 and exchange.url != url:
                self.found.alias(url, exchange.url)  # a redirect hop: one endpoint, not two
            if exchange.is_html:
                # At the last level the page's forms are still recorded (a form three clicks deep
                # is found at depth 3), only its links are not followed.
                self._parse(exchange, level + 1, follow=level < self.depth)

    @staticmethod
    def _sent_to_login(exchange: Exchange) -> bool:
        """Redirected to a page with a password form: a members-only page, seen anonymously."""
        return (
            bool(exchange.history)
            and exchange.is_html
            and any(f.has_password for f in parse_html(exchange.text).forms)
        )

    async def _fetch(self, url: str) -> Exchange:
        exchange = await self.probe.get(url, follow_redirects=True)
        lost = exchange.status in (401, 403) or self._sent_to_login(exchange)
        if self.reauth is not None and lost and await self.reauth(self.probe, exchange):
            exchange = await self.probe.get(url, follow_redirects=True)
        return exchange

    def _enqueue(self, url: str, level: int) -> None:
        key = _page_key(url)
        if key not in self._seen:
            self._seen.add(key)
            self._queue.append((url, level))

    def _parse(self, exchange: Exchange, level: int, *, follow: bool = True) -> None:
        scope = self.probe.engine.scope
        page = parse_html(exchange.text)
        for href, text in page.links if follow else []:
            url = scope.resolve(href, exchange.url)
            if url is None:
                self.found.skip("off scope or not http")
            elif is_logout(url, text):
                self.found.logout_targets.append(("GET", url))
            elif is_dangerous(url, text):
                self.found.skip("looks destructive")
            elif is_static(url):
                self.found.skip("static asset")
            else:
                self.found.add(endpoint_from_url("GET", url, source="crawl"))
                self._enqueue(url, level)
        for form in page.forms:
            self._form(form, exchange.url, level, follow=follow)

    def _form(self, form: Form, page_url: str, level: int, *, follow: bool = True) -> None:
        action = self.probe.engine.scope.resolve(form.action or page_url, page_url)
        if action is None:
            self.found.skip("off scope or not http")
            return
        if form.has_password:
            self.found.login_forms.append((page_url, form))
        text = " ".join(f.value for f in form.fields if f.type == "submit")
        if is_logout(action, text):
            self.found.logout_targets.append((form.method, action))
            self.found.logout_pages.append(page_url)
            return
        if is_dangerous(action, text):
            self.found.skip("looks destructive")
            return
        endpoint = endpoint_from_form(form.method, action, form, page=page_url)
        self.found.add(endpoint)
        if form.method == "GET" and follow:
            self._enqueue(endpoint.request().full_url(), level)


__all__ = ["Crawler", "Discovery", "Reauth"]
