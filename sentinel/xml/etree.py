"""Safe, ElementTree-compatible parsing: ``fromstring``, ``parse`` and ``iterparse``.

These wrap defusedxml's parser (entity declarations and external references refused) and make it
stricter: DTDs are refused by default, the XInclude namespace is refused, the encoding is checked
against :mod:`sentinel.xml.encoding`, and the limits of an :class:`~sentinel.xml.XMLLimits` preset
are counted while parsing, so an oversized document stops at the limit instead of after the tree is
built. Errors are the typed exceptions of :mod:`sentinel.xml.errors`; defusedxml's and expat's own
exceptions are mapped at this boundary and never escape.

They return ordinary :mod:`xml.etree.ElementTree` objects. Unlike the stdlib functions they take no
``parser=`` argument: a caller-supplied parser would bypass every check.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import IO, TYPE_CHECKING, Any, Literal, NoReturn

# ElementTree's classes are driven only through defusedxml's parser, below.
from xml.etree.ElementTree import (  # nosec B405
    Element,
    ElementTree,
    ParseError,
    TreeBuilder,
    XMLPullParser,
)
from xml.parsers import expat

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser

from sentinel.xml.encoding import StreamHead
from sentinel.xml.errors import (
    DTDForbidden,
    EncodingRefused,
    EntitiesForbidden,
    ExternalReferenceForbidden,
    TooDeep,
    TooLarge,
    TooManyAttributes,
    TooManyElements,
    XIncludeForbidden,
    XMLError,
)
from sentinel.xml.inspector import XINCLUDE_NAMESPACES, check_declared_encoding, error_for_code, position_of
from sentinel.xml.limits import DEFAULT_LIMITS, XMLLimits

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

#: How much ``parse`` and ``iterparse`` read at a time.
CHUNK_SIZE = 64 * 1024

Source = str | os.PathLike[str] | IO[bytes]
_TEXT = "text"
_SYNTAX_ERROR = expat.errors.codes[expat.errors.XML_ERROR_SYNTAX]
#: The events :func:`iterparse` can report, as in :func:`xml.etree.ElementTree.iterparse`.
Event = Literal["start", "end", "comment", "pi", "start-ns", "end-ns"]


class _LimitedTarget:
    """A TreeBuilder that counts depth, elements and attributes, and refuses XInclude.

    ``data``, ``comment``, ``pi`` and ``close`` are the C TreeBuilder's own bound methods, so only
    ``start`` and ``end`` add a Python call per element.
    """

    def __init__(self, limits: XMLLimits) -> None:
        builder = TreeBuilder()
        self.data: Callable[[str], None] = builder.data
        self.comment: Callable[[str], Any] = builder.comment
        self.pi: Callable[..., Any] = builder.pi
        self.close: Callable[[], Element] = builder.close
        self._start = builder.start
        self._end = builder.end
        self._limits = limits
        self._depth = 0
        self._elements = 0
        #: The expat parser, set by :class:`SafeXMLParser`, to say where a refusal happened.
        self.expat: Any = None

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        self._depth += 1
        self._elements += 1
        limits = self._limits
        if self._depth > limits.max_depth:
            raise TooDeep(limit=limits.max_depth, position=position_of(self.expat))
        if self._elements > limits.max_elements:
            raise TooManyElements(limit=limits.max_elements, position=position_of(self.expat))
        if len(attrib) > limits.max_attributes:
            raise TooManyAttributes(limit=limits.max_attributes, position=position_of(self.expat))
        return self._start(tag, attrib)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._end(tag)

    def start_ns(self, prefix: str, uri: str) -> tuple[str, str]:
        """Refuse XInclude; otherwise report the mapping as ElementTree's ``start-ns`` event does."""
        if uri in XINCLUDE_NAMESPACES:
            raise XIncludeForbidden(position=position_of(self.expat))
        return (prefix, uri)


class SafeXMLParser(DefusedXMLParser):
    """defusedxml's ElementTree parser with DTDs refused, XInclude refused, and limits counted.

    ``allow_dtd=True`` accepts a DOCTYPE that has neither entity declarations nor an external
    identifier (``<!DOCTYPE html>``); entities and external references stay refused regardless.
    """

    def __init__(self, *, limits: XMLLimits = DEFAULT_LIMITS, allow_dtd: bool = False) -> None:
        target = _LimitedTarget(limits)
        super().__init__(target=target, forbid_dtd=not allow_dtd, forbid_entities=True, forbid_external=True)
        self._expat = target.expat = self.parser
        self._limits = limits
        self._size = 0
        self._head = StreamHead()
        self._expat.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._expat.XmlDeclHandler = self._xml_decl
        if allow_dtd:
            self._expat.StartDoctypeDeclHandler = self._internal_dtd_only

    def _xml_decl(self, _version: str | None, encoding: str | None, _standalone: int) -> None:
        family = self._head.family
        check_declared_encoding(encoding, None if family == _TEXT else family)

    def _internal_dtd_only(self, _name: str, sysid: str | None, pubid: str | None, _subset: bool) -> None:
        if sysid is not None or pubid is not None:
            raise ExternalReferenceForbidden(position=position_of(self._expat))

    def feed(self, data: str | ReadableBuffer) -> None:
        if not isinstance(data, str):
            data = bytes(data)
        self._size += len(data)
        if self._size > self._limits.max_bytes:
            raise TooLarge(limit=self._limits.max_bytes)
        if isinstance(data, str):
            # Text is already decoded: pyexpat parses it as UTF-8 whatever it declares, so only the
            # allow-list applies to its declaration, not the byte-family check.
            self._head.family = self._head.family or _TEXT
        else:
            data = self._head.take(data)
            if not data:
                return
        self._guarded(super().feed, data)

    def close(self) -> Element:
        held = self._head.finish()
        if held:
            self._guarded(super().feed, held)
        root: Element = self._guarded(super().close)
        return root

    def _guarded(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a defusedxml/expat call, mapping their exceptions to ours."""
        try:
            return call(*args)
        except XMLError:
            raise
        except defusedxml.DefusedXmlException as exc:
            self._refuse(exc)
        except ParseError as exc:
            raise _from_parse_error(exc) from exc
        except (ValueError, LookupError) as exc:
            # pyexpat's unknown-encoding hook rejects multi-byte or unknown codecs this way.
            raise EncodingRefused("the document's encoding cannot be inspected") from exc

    def _refuse(self, exc: defusedxml.DefusedXmlException) -> NoReturn:
        position = position_of(self._expat)
        if isinstance(exc, defusedxml.DTDForbidden):
            raise DTDForbidden(position=position) from exc
        if isinstance(exc, defusedxml.EntitiesForbidden):
            raise EntitiesForbidden(position=position) from exc
        raise ExternalReferenceForbidden(position=position) from exc


def _from_parse_error(exc: ParseError) -> XMLError:
    line, column = getattr(exc, "position", (0, 0))
    return error_for_code(int(getattr(exc, "code", _SYNTAX_ERROR)), (int(line), int(column)))


def fromstring(text: str | bytes, *, limits: XMLLimits = DEFAULT_LIMITS, allow_dtd: bool = False) -> Element:
    """Parse a document held in memory and return its root element."""
    parser = SafeXMLParser(limits=limits, allow_dtd=allow_dtd)
    parser.feed(text)
    return parser.close()


#: ElementTree's alias.
XML = fromstring


def _open(source: Source) -> AbstractContextManager[IO[bytes]]:
    if isinstance(source, str | os.PathLike):
        return open(source, "rb")
    return nullcontext(source)  # the caller's file: the caller closes it


def parse(source: Source, *, limits: XMLLimits = DEFAULT_LIMITS, allow_dtd: bool = False) -> ElementTree:
    """Parse a file (a path or a binary file object) into an :class:`ElementTree`."""
    parser = SafeXMLParser(limits=limits, allow_dtd=allow_dtd)
    with _open(source) as stream:
        while data := stream.read(CHUNK_SIZE):
            parser.feed(data)
    return ElementTree(parser.close())


class IterParser(Iterator[tuple[str, Any]]):
    """The iterator :func:`iterparse` returns; ``root`` is set once it is exhausted."""

    def __init__(self, source: Source, events: Sequence[Event] | None, parser: SafeXMLParser) -> None:
        self.root: Element | None = None
        self._events = self._generate(source, events, parser)

    def __next__(self) -> tuple[str, Any]:
        return next(self._events)

    def _generate(
        self, source: Source, events: Sequence[Event] | None, parser: SafeXMLParser
    ) -> Iterator[tuple[str, Any]]:
        pull = XMLPullParser(events=events, _parser=parser)
        with _open(source) as stream:
            while data := stream.read(CHUNK_SIZE):
                pull.feed(data)
                yield from _events(pull)
            self.root = parser.close()
            yield from _events(pull)


def _events(pull: XMLPullParser[Any]) -> Iterator[tuple[str, Any]]:
    """The pull parser's queued ``(event, payload)`` pairs (typeshed's union, flattened)."""
    events: Iterator[Any] = pull.read_events()
    return events


def iterparse(
    source: Source,
    events: Sequence[Event] | None = None,
    *,
    limits: XMLLimits = DEFAULT_LIMITS,
    allow_dtd: bool = False,
) -> IterParser:
    """Parse incrementally, yielding ``(event, payload)`` pairs as :func:`xml.etree.ElementTree.iterparse`.

    Limits are counted as the document streams: a document over ``max_bytes`` or ``max_elements``
    stops there, even when the caller clears elements as it goes.
    """
    return IterParser(source, events, SafeXMLParser(limits=limits, allow_dtd=allow_dtd))


__all__ = [
    "CHUNK_SIZE",
    "XML",
    "Event",
    "IterParser",
    "SafeXMLParser",
    "Source",
    "fromstring",
    "iterparse",
    "parse",
]
