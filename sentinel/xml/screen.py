"""Read one request body for the XML guard: sniff it, inspect it as it streams, keep it for replay.

:class:`BodyScreen` holds everything about one request (it lives in the middleware's locals, never
on the middleware). It reads ``http.request`` messages until it knows the body is acceptable, or
until it knows the body is not XML, in which case the rest streams to the app untouched. It keeps
the messages it read, unchanged, so the app receives the very same bytes.

Expat is fed in pieces that grow with the document, never message by message. Before expat 2.6.0
(CVE-2023-52425; Python 3.11's bundled expat is 2.5.0) each ``Parse`` call re-scans an unfinished
token from its start, so a 1 MB attribute sent in 1 KiB messages was scanned a thousand times (1.5 s
against 0.08 s in 64 KiB messages). Holding bytes back until at least ``max(COALESCE_BYTES, bytes
already fed)`` are pending makes the re-scans a geometric series: linear in the body, whatever the
client's piece size. Nothing reaches the app before the whole body is inspected anyway, so holding
bytes back changes when a refusal is found, never whether. Pieces stop growing at ``MAX_SLICE``, and
the loop gets a turn between pieces, so one large body cannot hold the event loop for its whole parse.
The price of that cap: a single token longer than 1 MiB is re-scanned once per 1 MiB piece again;
for the largest token ``DEFAULT_LIMITS`` admits (10 MiB) that adds about a quarter to the cost of
one pass (measured: 1.5 s against 1.2 s fed whole, on a loaded machine), whatever the message size.
"""

from __future__ import annotations

import anyio.lowlevel

from sentinel.types import Message, Receive
from sentinel.xml.content import BodyInfo
from sentinel.xml.errors import TooLarge
from sentinel.xml.inspector import XMLInspector
from sentinel.xml.settings import XMLGuardSettings
from sentinel.xml.sniff import Sniffer, xml_form_values

#: Bytes held back before expat is fed at all (then: at least as many as were fed before).
COALESCE_BYTES = 64 * 1024
#: The largest piece fed in one go; the event loop runs between pieces.
MAX_SLICE = 1024 * 1024


class ClientDisconnected(Exception):
    """The client went away before the body was complete: there is no one left to answer."""


class ContentEncodingRefused(Exception):
    """An XML body is compressed (Content-Encoding): the guard cannot inspect it."""


class BodyScreen:
    """Screens one request body; :meth:`run` returns the messages read, or raises a refusal."""

    def __init__(self, info: BodyInfo, settings: XMLGuardSettings) -> None:
        self._info = info
        self._settings = settings
        self._limit = settings.limits.max_bytes
        self.messages: list[Message] = []
        self._size = 0
        self._inspector: XMLInspector | None = None
        self._pending: list[bytes] = []
        self._pending_size = 0
        #: Feed expat once this many bytes are pending (grows with the document).
        self._feed_at = COALESCE_BYTES
        sniff = settings.sniff and not info.xml and not info.exempt
        self._sniffer = Sniffer(limit=self._limit) if sniff else None
        self._collect_form = info.form and settings.inspect_form_fields and not info.xml
        #: Set once the body is known not to need inspection; the rest then streams through.
        self.passed = False
        #: Where a refusal was found: "body" or "form-field".
        self.where = "body"

    @property
    def needed(self) -> bool:
        """Whether this request's body must be read at all."""
        return self._info.xml or self._sniffer is not None or self._collect_form

    async def run(self, receive: Receive) -> list[Message]:
        if self._info.xml:
            await self._begin_inspection()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise ClientDisconnected
            self.messages.append(message)
            await self._take(message.get("body", b""))
            if self.passed or not message.get("more_body", False):
                break
        if not self.passed:
            await self._finish()
        return self.messages

    async def _begin_inspection(self) -> None:
        """The body is XML: refuse what cannot be inspected, then inspect what was read so far."""
        if self._info.encoded:
            raise ContentEncodingRefused
        if self._size > self._limit or (
            self._info.content_length is not None and self._info.content_length > self._limit
        ):
            raise TooLarge(limit=self._limit)
        self._sniffer = None
        self._collect_form = False
        self._inspector = XMLInspector(
            self._settings.limits, structure=self._settings.check_structure, charset=self._info.charset
        )
        for message in self.messages:
            self._hold(message.get("body", b""))
        if self._pending_size >= self._feed_at:
            await self._feed_pending()

    async def _take(self, body: bytes) -> None:
        self._size += len(body)
        if self._inspector is not None:
            if self._size > self._limit:  # at once, not when the held-back bytes are fed
                raise TooLarge(limit=self._limit)
            self._hold(body)
            if self._pending_size >= self._feed_at:
                await self._feed_pending()
            return
        if self._sniffer is not None:
            decision = self._sniffer.feed(body)
            if decision:
                await self._begin_inspection()
                return
            if decision is False:
                self._sniffer = None
        if self._sniffer is None and not self._collect_form:
            self.passed = True
        elif self._collect_form and self._size > self._limit:
            self.where = "form-field"
            raise TooLarge(limit=self._limit)

    async def _finish(self) -> None:
        if self._sniffer is not None and self._sniffer.finish():
            await self._begin_inspection()
        if self._inspector is not None:
            await self._feed_pending()
            if self._inspector.size:  # an empty body holds no document to refuse
                self._inspector.close()
        elif self._collect_form:
            self._inspect_form_fields()

    def _hold(self, body: bytes) -> None:
        self._pending.append(body)
        self._pending_size += len(body)

    async def _feed_pending(self) -> None:
        """Feed everything held back, in pieces that grow with the document (module docstring)."""
        inspector = self._inspector
        if inspector is None or not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        view, start = memoryview(data), 0
        while start < len(data):
            if start:
                await anyio.lowlevel.checkpoint()
            step = min(max(COALESCE_BYTES, inspector.size), MAX_SLICE)
            inspector.feed(bytes(view[start : start + step]))
            start += step
        self._feed_at = min(max(COALESCE_BYTES, inspector.size), MAX_SLICE)

    def _inspect_form_fields(self) -> None:
        self.where = "form-field"
        body = b"".join(message.get("body", b"") for message in self.messages)
        for value in xml_form_values(body):
            inspector = XMLInspector(self._settings.limits, structure=self._settings.check_structure)
            inspector.feed(value)
            inspector.close()


__all__ = ["COALESCE_BYTES", "MAX_SLICE", "BodyScreen", "ClientDisconnected", "ContentEncodingRefused"]
