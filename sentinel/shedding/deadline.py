"""``BodyDeadlineMiddleware``: a request body that does not arrive in time is answered ``408``.

uvicorn has no body-read timeout: a client that announces ``Content-Length: 10`` and sends nothing
keeps its request, and whatever the app holds for it, alive for as long as the TCP connection
lives. This middleware wraps ``receive`` so that *every* reader of the body (the CSRF and XML guards,
the app's own ``await request.body()``) waits at most until the deadline, which is Apache
``mod_reqtimeout``'s rule (``body=20,MinRate=500``): ``timeout`` seconds from the start of the
request, extended by one second for every ``min_rate`` bytes received, so a trickle of one byte a
second is cut off while a large upload on a slow but honest link is not. Like Apache's
``body=20-40``, the extension is capped (``max_timeout``): otherwise a client that sends most of a
10 MiB body at once and then stalls would earn hours, holding its buffered bytes while parked.

When the deadline passes while someone waits for the body, the client is answered
``408 urn:sentinel:problem:body-timeout`` (naming ``SENTINEL_BODY_TIMEOUT``) with
``Connection: close``, the reader is told the client disconnected, and everything the request held is
released as its handlers return. The deadline stops counting once the body is complete: a streaming
response may wait on ``receive`` for a disconnect as long as it likes. Requests whose headers show no
body (:func:`sentinel.request_body.declares_body`) are not wrapped at all.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sentinel.errors import ConfigurationError
from sentinel.events import security_event
from sentinel.problem import Problem
from sentinel.request_body import declares_body
from sentinel.shedding.env import env_float, env_int
from sentinel.shedding.gate import DISCONNECT, ResponseGate
from sentinel.types import ASGIApp, Message, Receive, Scope, Send

#: The cap on a body's deadline unless ``max_timeout`` says otherwise.
DEFAULT_MAX_TIMEOUT = 120.0


@dataclass(frozen=True, kw_only=True)
class BodyDeadline:
    """How long a request body may take: ``timeout`` seconds plus one second per ``min_rate`` bytes."""

    #: Seconds from the start of the request (``SENTINEL_BODY_TIMEOUT``).
    timeout: float = 10.0
    #: Bytes per second that earn one more second (``SENTINEL_BODY_MIN_RATE``); Apache's default.
    min_rate: int = 500
    #: The latest a body may complete, however much of it arrived (``SENTINEL_BODY_MAX_TIMEOUT``);
    #: ``None``: 120 seconds, or ``timeout`` if that is longer.
    max_timeout: float | None = None

    def __post_init__(self) -> None:
        problems = []
        if isinstance(self.timeout, bool) or not 0 < self.timeout <= 3600:
            problems.append(f"SENTINEL_BODY_TIMEOUT must be in (0, 3600] seconds, not {self.timeout!r}")
        if isinstance(self.min_rate, bool) or not isinstance(self.min_rate, int) or self.min_rate < 1:
            problems.append(f"SENTINEL_BODY_MIN_RATE must be a whole number >= 1, not {self.min_rate!r}")
        if self.max_timeout is None:
            pass
        elif isinstance(self.max_timeout, bool) or not 0 < self.max_timeout <= 86400:
            problems.append(
                f"SENTINEL_BODY_MAX_TIMEOUT must be in (0, 86400] seconds, not {self.max_timeout!r}"
            )
        elif isinstance(self.timeout, int | float) and self.max_timeout < self.timeout:
            problems.append(
                f"SENTINEL_BODY_MAX_TIMEOUT ({self.max_timeout!r}) must be at least SENTINEL_BODY_TIMEOUT "
                f"({self.timeout!r})"
            )
        if problems:
            raise ConfigurationError(problems)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> BodyDeadline:
        """Defaults changed by ``SENTINEL_BODY_TIMEOUT`` and ``SENTINEL_BODY_MIN_RATE``; keyword
        ``overrides`` win."""
        env = os.environ if environ is None else environ
        read = {
            "timeout": env_float(env, "SENTINEL_BODY_TIMEOUT"),
            "min_rate": env_int(env, "SENTINEL_BODY_MIN_RATE"),
            "max_timeout": env_float(env, "SENTINEL_BODY_MAX_TIMEOUT"),
        }
        changes = {name: value for name, value in read.items() if value is not None}
        return dataclasses.replace(cls(), **{**changes, **overrides})

    @property
    def latest(self) -> float:
        """Seconds from the start of the request after which the body is late whatever it earned."""
        if self.max_timeout is not None:
            return self.max_timeout
        return max(DEFAULT_MAX_TIMEOUT, self.timeout)

    def problem(self) -> Problem:
        """The ``408`` answer, naming the settings an operator would change."""
        return Problem(
            status=408,
            slug="body-timeout",
            title="Request body too slow",
            detail=(
                f"The request body did not arrive within {self.timeout:g} seconds (plus one second per "
                f"{self.min_rate} bytes received, {self.latest:g} seconds at most): "
                "SENTINEL_BODY_TIMEOUT, SENTINEL_BODY_MIN_RATE and SENTINEL_BODY_MAX_TIMEOUT."
            ),
            extra_headers=((b"connection", b"close"),),
        )


class BodyDeadlineMiddleware:
    """Answer ``408`` when a request body is not complete by its deadline (see the module docstring).

    ``BodyDeadlineMiddleware(app, timeout=10, min_rate=500)``, or ``deadline=BodyDeadline(...)``.
    Place it outside every middleware that reads the body, and outside the load shedder.
    """

    def __init__(self, app: ASGIApp, *, deadline: BodyDeadline | None = None, **options: Any) -> None:
        if deadline is not None and options:
            raise ConfigurationError(["pass deadline= or individual options, not both"])
        self.app = app
        self.deadline = deadline or BodyDeadline(**options)
        self._problem = self.deadline.problem()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not declares_body(scope):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        started = loop.time()
        timeout, min_rate = self.deadline.timeout, self.deadline.min_rate
        latest = started + self.deadline.latest
        gate = ResponseGate(send, scope)
        received = 0
        complete = expired = False

        async def receive_in_time() -> Message:
            nonlocal received, complete, expired
            if expired:
                return dict(DISCONNECT)
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(min(latest, started + timeout + received / min_rate)):
                    message = await receive()
            except TimeoutError:
                expired = True
                answered = await gate.answer(self._problem)
                security_event(
                    "request.body_timeout",
                    outcome="refused" if answered else "abandoned",
                    scope=scope,
                    received=received,
                    seconds=round(loop.time() - started, 3),
                )
                return dict(DISCONNECT)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        try:
            await self.app(scope, receive_in_time, gate.send)
        except Exception:
            # Starlette's ``request.body()`` raises ClientDisconnect on the disconnect we reported;
            # the client already has its 408, so that is no error to log as a crash.
            if not gate.answered:
                raise


__all__ = ["BodyDeadline", "BodyDeadlineMiddleware"]
