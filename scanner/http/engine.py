"""The HTTP engine: one per scan, shared pacing, budget and log; a fresh client per probe.

Every request, whichever check sends it, goes through :meth:`HttpEngine.perform`: budget first, then
the shared rate cap, then a concurrency slot, then the transport under a hard timeout, then bounded
retries on 429/503 (honouring Retry-After up to ``Limits.max_retry_wait``) and on refused connections.

``transport=`` is the seam for in-process tests (``httpx.ASGITransport``). Without it each probe gets
its own ``httpx.AsyncHTTPTransport``, its own connections and (in :class:`ProbeClient`) its own cookie
jar, so one probe's payload can never corrupt another probe's state.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from scanner.config import Limits
from scanner.errors import RequestFailed
from scanner.http.exchange import Exchange, Pairs
from scanner.http.pacing import Budget, RateLimiter, backoff_delay, retry_after_seconds
from scanner.progress import Listener, Silent
from scanner.redact import Redactor
from scanner.scope import ScopeGuard

if TYPE_CHECKING:
    from scanner.http.probe import ProbeClient
from sentinel._version import __version__

USER_AGENT = f"sentinel-scan/{__version__} (+authorised testing only)"
_RETRY_STATUSES = frozenset({429, 503})
LOG_CAPACITY = 5000


@dataclass(kw_only=True)
class EngineStats:
    """Counters reported with every scan."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    failures: int = 0


@dataclass(frozen=True, kw_only=True)
class RawResponse:
    status: int
    headers: Pairs
    body: bytes
    elapsed: float


class HttpEngine:
    """Shared by every probe of one scan."""

    def __init__(
        self,
        limits: Limits,
        scope: ScopeGuard,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Pairs = (),
    ) -> None:
        self.limits = limits
        #: Sent on every request of every probe (``--header``: a token the user already has).
        self.headers = headers
        self.scope = scope
        self._transport = transport
        self._rate = RateLimiter(limits.max_rps)
        self._slots = asyncio.Semaphore(limits.concurrency)
        self.budget = Budget(limits.max_requests)
        self.log: deque[Exchange] = deque(maxlen=LOG_CAPACITY)
        self.notes: set[str] = set()
        self.stats = EngineStats()
        #: Told about every request (the CLI's progress display); silent by default.
        self.listener: Listener = Silent()
        #: Every cookie value the target sets is registered here, so no evidence can show one.
        self.redactor = Redactor()
        for _, value in headers:
            self.redactor.add_secret(value)
            self.redactor.add_secret(value.partition(" ")[2] or value)  # "Bearer <token>": the token too

    def note(self, text: str) -> None:
        """Record something the report must say about how the scan behaved."""
        self.notes.add(text)

    @asynccontextmanager
    async def probe(self, name: str, *, crafted: bool = False) -> AsyncIterator[ProbeClient]:
        """A fresh client with an empty cookie jar. ``crafted`` marks probes that put session IDs
        into URLs on purpose, so the passive URL check does not blame the target for them."""
        from scanner.http.probe import ProbeClient

        own = self._transport is None
        transport = self._transport or httpx.AsyncHTTPTransport(
            retries=0,
            limits=httpx.Limits(
                max_connections=self.limits.concurrency, max_keepalive_connections=self.limits.concurrency
            ),
        )
        try:
            yield ProbeClient(self, transport, name=name, crafted=crafted)
        finally:
            if own:
                await transport.aclose()

    async def perform(
        self,
        transport: httpx.AsyncBaseTransport,
        request: httpx.Request,
        *,
        retry: bool = True,
    ) -> RawResponse:
        """Send one request (with bounded retries); raises RequestFailed or BudgetExhausted."""
        retries_left = self.limits.max_retries if retry else 0
        attempt = 0
        while True:
            try:
                response = await self._once(transport, request)
            except RequestFailed:
                self.stats.failures += 1
                if attempt >= retries_left:
                    raise
                delay: float | None = backoff_delay(attempt, None, base=self.limits.backoff_base, bound=2.0)
            else:
                if response.status not in _RETRY_STATUSES:
                    return response
                self.stats.throttled += 1
                if attempt >= retries_left:
                    return response
                retry_after = retry_after_seconds(dict(response.headers).get("retry-after"))
                delay = backoff_delay(
                    attempt, retry_after, base=self.limits.backoff_base, bound=self.limits.max_retry_wait
                )
                if delay is None:
                    self.note(
                        f"a Retry-After of {retry_after or 0:.0f} s exceeded the "
                        f"{self.limits.max_retry_wait:.0f} s bound; "
                        "the throttled answer was kept instead of waiting"
                    )
                    return response
            self.stats.retries += 1
            attempt += 1
            await asyncio.sleep(delay or 0.0)

    async def _once(self, transport: httpx.AsyncBaseTransport, request: httpx.Request) -> RawResponse:
        self.budget.take()
        await self._rate.wait()
        async with self._slots:
            self.stats.requests += 1
            self.listener.request(self.budget.used, self.budget.limit)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.limits.timeout):
                    response = await transport.handle_async_request(request)
                    try:
                        body = await self._read(response)
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise RequestFailed(str(request.url), f"timed out after {self.limits.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise RequestFailed(str(request.url), type(exc).__name__) from exc
            elapsed = time.perf_counter() - started
        headers = tuple((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw)
        return RawResponse(status=response.status_code, headers=headers, body=body, elapsed=elapsed)

    async def _read(self, response: httpx.Response) -> bytes:
        cap = self.limits.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= cap:
                break
        return b"".join(chunks)[:cap]

    def timeout_extension(self) -> dict[str, float | None]:
        return dict(httpx.Timeout(self.limits.timeout).as_dict())


__all__ = ["LOG_CAPACITY", "USER_AGENT", "EngineStats", "HttpEngine", "RawResponse"]
