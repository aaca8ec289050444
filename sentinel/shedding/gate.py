"""Answer a request in the app's place while the app is still running (it is waiting on ``receive``).

The body deadline and the shedder both learn *inside* ``receive`` that a request must end: the body
never came (408), or it came while the instance was full (503). Raising from ``receive`` would hand
the decision to the app, whose error handler may turn it into a 500 first. Instead the middleware
sends its problem itself, then tells the app the client has gone (``http.disconnect``, which every
ASGI app must already handle while reading a body) and drops whatever the app still sends. An
exception the app then raises (Starlette's ``ClientDisconnect``) is the middleware's to swallow:
the client has its answer.
"""

from __future__ import annotations

from sentinel.problem import Problem, send_problem
from sentinel.types import Message, Scope, Send

DISCONNECT: Message = {"type": "http.disconnect"}


class ResponseGate:
    """Wraps one request's ``send``: tracks whether the response began, and can answer instead."""

    __slots__ = ("_scope", "_send", "answered", "started")

    def __init__(self, send: Send, scope: Scope | None = None) -> None:
        self._send = send
        #: The request, so a browser navigation gets the HTML page (:mod:`sentinel.problem`).
        self._scope = scope
        #: The app (or this gate) has sent ``http.response.start``.
        self.started = False
        #: This gate answered; the app's own messages are dropped from now on.
        self.answered = False

    async def send(self, message: Message) -> None:
        if self.answered:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def answer(self, problem: Problem) -> bool:
        """Send ``problem`` unless a response already began; True if it was sent."""
        if self.started or self.answered:
            return False
        self.started = self.answered = True
        await send_problem(self._send, problem, self._scope)
        return True


__all__ = ["DISCONNECT", "ResponseGate"]
