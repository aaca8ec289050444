"""One admitted request's slot, lent out while the request waits for its client to send the body.

Why a request waiting for its body must not count as in flight: a slot bounds the work a process
does, and a request blocked on the network does none. Counting it let 64 connections that announced
a body and never sent it hold every slot, so everyone else was shed (issue #12).

The rules, per request (one :class:`ParkedSlot`, in the middleware's locals):

- while a reader (a guard, the app) waits in ``receive`` for body bytes, and the app has not
  started its response, the slot is lent out (:meth:`LoadShedder.park`);
- it is taken back (:meth:`LoadShedder.unpark`) before the bytes are handed to the reader, and
  before the app's response starts: from then on the request is doing work again, so it holds a
  slot while it does (a response streamed to a request whose body never came included);
- if no slot frees in time, the client is answered 503 like any new arrival, and the app is told
  the client disconnected (:class:`~sentinel.shedding.gate.ResponseGate`);
- once the body is complete, ``receive`` is the server's own again (a streaming response waiting
  for ``http.disconnect`` keeps its slot, as before).

Taking the slot back is serialised by a lock, so a reader and a responder racing for it (Starlette
listens for a disconnect in one task while it streams in another) take one slot, not two.
"""

from __future__ import annotations

import asyncio

from sentinel.problem import Problem
from sentinel.shedding.errors import Overloaded
from sentinel.shedding.gate import DISCONNECT, ResponseGate
from sentinel.shedding.limiter import LoadShedder
from sentinel.types import Message, Receive, Send


class ParkedSlot:
    """The ``receive`` and ``send`` an app gets for one admitted request that has a body."""

    def __init__(self, shedder: LoadShedder, receive: Receive, send: Send, refusal: Problem) -> None:
        self._shedder = shedder
        self._receive = receive
        self._gate = ResponseGate(send)
        self._refusal = refusal
        self._lock = asyncio.Lock()
        #: Whether the request holds its slot now (``release`` must know).
        self.holding = True
        self._complete = False
        self._refused = False

    @property
    def answered(self) -> bool:
        """This slot answered 503 in the app's place."""
        return self._gate.answered

    async def receive(self) -> Message:
        if self._refused:
            return dict(DISCONNECT)
        if self._complete:
            return await self._receive()
        if self.holding and not self._gate.started:
            self._shedder.park()
            self.holding = False
        message = await self._receive()
        self._complete = message["type"] != "http.request" or not message.get("more_body", False)
        if not await self._take_back():
            return dict(DISCONNECT)
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and not await self._take_back():
            return
        await self._gate.send(message)

    async def _take_back(self) -> bool:
        """Hold the slot again; False (and the 503 sent) when none freed in time."""
        async with self._lock:
            if self.holding:
                return True
            if self._refused:
                return False
            try:
                await self._shedder.unpark()
            except Overloaded:
                self._refused = True
                await self._gate.answer(self._refusal)
                return False
            self.holding = True
            return True


__all__ = ["ParkedSlot"]
