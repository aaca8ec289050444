"""``LoadSheddingMiddleware``: a fast 503 with Retry-After instead of a slow timeout.

Each HTTP request takes a slot from a :class:`~sentinel.shedding.LoadShedder` before the app runs and
gives it back when the app returns (after the last body byte, so streaming responses hold their
slot). When no slot is free and the short queue (if any) is full or its deadline passes, the answer
is an immediate ``503`` ``application/problem+json`` with Retry-After: the seed's back pressure.

A request still waiting for its body holds no slot: while any reader (a guard, the app) waits in
``receive`` for body bytes before the response starts, the slot is lent out, and taken back when
the bytes arrive or the response starts (:class:`~sentinel.shedding.parking.ParkedSlot` gives the
rules and why). Were it otherwise, clients that announce a body and never send it would hold every
slot, and the shedder would turn a harmless slow client into an outage (issue #12). If the instance
is full when the bytes arrive, the request is answered 503 like any new arrival and the reader is
told the client disconnected. Requests with no body are never parked.

Exempt paths (a health check, say) bypass the bound entirely, so an operator can still look inside
an overloaded instance. WebSocket and lifespan scopes pass through: a long-lived connection would
hold a slot for its whole life.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sentinel.errors import ConfigurationError
from sentinel.problem import Problem
from sentinel.request_body import declares_body
from sentinel.shedding.errors import Overloaded
from sentinel.shedding.limiter import LoadShedder
from sentinel.shedding.parking import ParkedSlot
from sentinel.shedding.paths import PathMatcher
from sentinel.shedding.policy import SheddingPolicy
from sentinel.types import ASGIApp, Receive, Scope, Send


def overloaded_problem(retry_after: int) -> Problem:
    """The answer to a shed request."""
    return Problem(
        status=503,
        slug="overloaded",
        title="Service overloaded",
        detail="The server is at capacity and did not start on this request; retry after the delay.",
        retry_after=retry_after,
    )


class LoadSheddingMiddleware:
    """Bound the requests in flight; shed the rest at once.

    ``LoadSheddingMiddleware(app, max_in_flight=32)``, or ``policy=SheddingPolicy(...)`` whole, or
    ``shedder=`` a :class:`LoadShedder` shared with a health endpoint and metrics. Every other
    keyword is a :class:`SheddingPolicy` field.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        policy: SheddingPolicy | None = None,
        shedder: LoadShedder | None = None,
        exempt_paths: Iterable[str] = (),
        **options: Any,
    ) -> None:
        if sum(x is not None for x in (policy, shedder)) + bool(options) > 1:
            raise ConfigurationError(["pass one of policy=, shedder= or individual policy options"])
        self.app = app
        self.shedder = shedder or LoadShedder(policy or SheddingPolicy(**options))
        self._exempt = PathMatcher(exempt_paths)
        problem = self._problem = overloaded_problem(self.shedder.policy.retry_after)
        # Prebuilt: a shed request must cost as little as possible, it is shed *because* we are busy.
        self._shed_body = problem.body()
        self._shed_headers = problem.headers(len(self._shed_body))

    async def _shed(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": list(self._shed_headers)})
        await send({"type": "http.response.body", "body": self._shed_body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self._exempt and self._exempt(scope["path"])):
            await self.app(scope, receive, send)
            return
        shedder = self.shedder
        arrived = shedder.clock()
        if not shedder.try_admit():
            try:
                await shedder.wait_for_slot()
            except Overloaded:
                await self._shed(send)
                return
        admitted = shedder.clock()
        if not declares_body(scope):
            try:
                await self.app(scope, receive, send)
            finally:
                shedder.release(queue_wait=admitted - arrived, processing=shedder.clock() - admitted)
            return
        slot = ParkedSlot(shedder, receive, send, self._problem)
        try:
            await self.app(scope, slot.receive, slot.send)
        except Exception:
            if not slot.answered:  # else: the app failing on the disconnect we reported after a 503
                raise
        finally:
            shedder.release(
                queue_wait=admitted - arrived, processing=shedder.clock() - admitted, holding=slot.holding
            )


__all__ = ["LoadSheddingMiddleware", "overloaded_problem"]
