"""Recognise XML bodies whatever their Content-Type, and XML hidden in urlencoded form fields.

The rule: after an optional byte order mark and XML whitespace, the body starts with ``<?`` (the
XML declaration or any processing instruction) or ``<!`` (a DOCTYPE or a comment). That is wider
than "starts with ``<?xml`` or ``<!DOCTYPE``" on purpose: a DOCTYPE may follow comments and
processing instructions, and a sniffer that only looks for the first two would wave it through.
The start is decoded as the XML specification's encoding detection says (UTF-16, UTF-32, UTF-7 and
EBCDIC included), so ``<`` spelled in another encoding is still seen.

A body that is only whitespace past the size cap counts as XML, so the cap applies to it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from urllib.parse import unquote_to_bytes

from sentinel.xml.encoding import HEAD_BYTES, detect

#: XML's whitespace, plus U+FEFF for a byte order mark only visible after decoding (UTF-7).
_SKIPPED = " \t\r\n\ufeff"
_MARKERS = ("<?", "<!")
_FIELD = re.compile(rb"[^&;]+")


class Sniffer:
    """Feed the body's chunks; :meth:`feed` answers True/False once it knows, ``None`` before."""

    def __init__(self, *, limit: int) -> None:
        self._limit = limit
        self._consumed = 0
        self._held = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        self._start = ""

    def feed(self, data: bytes) -> bool | None:
        self._consumed += len(data)
        if self._decoder is None:
            self._held += data
            if len(self._held) < HEAD_BYTES:
                return None
            decoder, data = self._begin()
        else:
            decoder = self._decoder
        decision = self._decide(decoder.decode(data, False))
        if decision is None and self._consumed > self._limit:
            return True  # only whitespace so far, and more of it than any document may have
        return decision

    def finish(self) -> bool:
        """The decision at end of body: anything still undecided is not XML."""
        decoder, data = self._begin() if self._decoder is None else (self._decoder, b"")
        return bool(self._decide(decoder.decode(data, True)))

    def _begin(self) -> tuple[codecs.IncrementalDecoder, bytes]:
        detection = detect(self._held)
        decoder = self._decoder = codecs.getincrementaldecoder(detection.codec)(errors="replace")
        held, self._held = self._held[detection.bom :], b""
        return decoder, held

    def _decide(self, text: str) -> bool | None:
        if not self._start:
            text = text.lstrip(_SKIPPED)
        self._start += text[:2]
        if len(self._start) >= 2:
            return self._start[:2] in _MARKERS
        if self._start and self._start != "<":
            return False
        return None


def looks_like_xml(data: bytes) -> bool:
    """Whether a complete byte string announces itself as XML (see the module docstring)."""
    sniffer = Sniffer(limit=len(data))
    decision = sniffer.feed(data)
    return decision if decision is not None else sniffer.finish()


def xml_form_values(body: bytes) -> Iterator[bytes]:
    """The percent-decoded names and values of an urlencoded body that look like XML.

    Fields are split on both ``&`` and ``;`` (parsers disagree about ``;``), so every field any
    parser could see is considered.
    """
    for match in _FIELD.finditer(body):
        for piece in match.group().split(b"=", 1):
            raw = unquote_to_bytes(piece.replace(b"+", b" "))
            if looks_like_xml(raw):
                yield raw


__all__ = ["Sniffer", "looks_like_xml", "xml_form_values"]
