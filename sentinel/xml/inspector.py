"""Stream a document through expat to decide whether it is safe, without building anything.

:class:`XMLInspector` is what the guard runs on a request body, chunk by chunk as it arrives. It is
a real, conforming parser (expat), configured so that nothing dangerous can happen:

- ``<!DOCTYPE`` raises at once, before the internal subset is read, so no entity is ever declared,
  let alone expanded: billion laughs, quadratic blowup and every XXE variant stop there, in time and
  memory proportional to the bytes read so far;
- entity declarations and external references raise too (defence in depth), and parameter entity
  parsing stays off;
- a declaration of the XInclude namespace raises;
- the encoding is checked (byte order mark, Appendix F pattern, XML declaration, and the HTTP charset
  parameter when given) against the allow-list in :mod:`sentinel.xml.encoding`;
- size, depth, element and attribute limits are counted as the parser goes.

With ``structure=False`` the per-element callbacks (depth, element and attribute limits) are not
installed: expat then runs at C speed, and those limits are left to the app's own parse through
:mod:`sentinel.xml`. Everything else is still checked.
"""

from __future__ import annotations

from typing import Any, NoReturn
from xml.parsers import expat

from sentinel.xml.encoding import StreamHead, expat_name, family_of
from sentinel.xml.errors import (
    DTDForbidden,
    EncodingRefused,
    EntitiesForbidden,
    ExternalReferenceForbidden,
    MalformedXML,
    Position,
    TooDeep,
    TooLarge,
    TooManyAttributes,
    TooManyElements,
    XIncludeForbidden,
    XMLError,
)
from sentinel.xml.limits import DEFAULT_LIMITS, XMLLimits

#: XInclude 1.0 and the 2003 draft namespace that libxml2 still honours.
XINCLUDE_NAMESPACES = frozenset({"http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"})
ENCODING_ERROR_CODES = frozenset(
    {
        expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING],
        expat.errors.codes[expat.errors.XML_ERROR_INCORRECT_ENCODING],
    }
)


def position_of(parser: Any) -> Position:
    """Where expat is now (1-based line, 0-based column, as ElementTree reports them)."""
    return (int(parser.CurrentLineNumber), int(parser.CurrentColumnNumber))


def error_for_code(code: int, position: Position) -> XMLError:
    """The typed error for an expat error code: :class:`EncodingRefused` or :class:`MalformedXML`."""
    message = expat.ErrorString(code) or "not well-formed"
    if code in ENCODING_ERROR_CODES:
        return EncodingRefused(f"the document's encoding cannot be used: {message}", position=position)
    return MalformedXML(message, code=code, position=position)


def translate_expat_error(exc: expat.ExpatError) -> XMLError:
    """Map an expat error to :class:`EncodingRefused` or :class:`MalformedXML`."""
    return error_for_code(exc.code, (int(exc.lineno), int(exc.offset)))


def check_declared_encoding(encoding: str | None, expected_family: str | None) -> None:
    """The XML declaration's encoding must be allowed and agree with the detected byte family."""
    if encoding is None:
        return
    family = family_of(encoding)
    if expected_family is not None and family != expected_family:
        raise EncodingRefused(
            "the XML declaration names an encoding that does not match the document's bytes"
        )


class XMLInspector:
    """Feed bytes with :meth:`feed`, then call :meth:`close`; either may raise an :class:`XMLError`.

    ``charset`` is the HTTP ``charset`` parameter, if any: it must be allowed and belong to the same
    family as the bytes, so a parser that honours it (RFC 7303) and one that honours the document's
    own declaration see the same markup.
    """

    def __init__(
        self, limits: XMLLimits = DEFAULT_LIMITS, *, structure: bool = True, charset: str | None = None
    ) -> None:
        self._limits = limits
        self._head = StreamHead(charset)
        self._size = 0
        # RFC 7303: a charset parameter overrides the document's own declaration, so expat decodes
        # with it, as a conforming app would; StreamHead has checked it is allowed and consistent.
        parser = expat.ParserCreate(expat_name(charset) if charset is not None else None, "}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.UnparsedEntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external
        parser.StartNamespaceDeclHandler = self._namespace
        parser.XmlDeclHandler = self._xml_decl
        if structure:
            self._install_counters(parser)
        self._parser = parser

    # -- handlers: each raises, which makes expat stop at once ------------------------------------

    def _refuse(self, error: type[DTDForbidden | EntitiesForbidden | ExternalReferenceForbidden]) -> NoReturn:
        raise error(position=position_of(self._parser))

    def _doctype(self, *_: object) -> None:
        self._refuse(DTDForbidden)

    # Entity declarations and external references can only come from a DTD, which ``_doctype``
    # refuses first. These two stay installed as insurance, as defusedxml installs them.
    def _entity(self, *_: object) -> None:
        self._refuse(EntitiesForbidden)

    def _external(self, *_: object) -> int:
        self._refuse(ExternalReferenceForbidden)

    def _namespace(self, _prefix: str | None, uri: str | None) -> None:
        if uri in XINCLUDE_NAMESPACES:
            raise XIncludeForbidden(position=position_of(self._parser))

    def _xml_decl(self, _version: str | None, encoding: str | None, _standalone: int) -> None:
        check_declared_encoding(encoding, self._head.family)

    def _install_counters(self, parser: Any) -> None:
        """Depth, element and attribute limits as closures: the per-element hot path."""
        limits = self._limits
        max_depth, max_elements = limits.max_depth, limits.max_elements
        max_attribute_items = 2 * limits.max_attributes  # ordered_attributes: name, value, ...
        depth = 0
        elements = 0

        def start(_name: str, attributes: list[str]) -> None:
            nonlocal depth, elements
            depth += 1
            elements += 1
            if depth > max_depth:
                raise TooDeep(limit=max_depth, position=position_of(parser))
            if elements > max_elements:
                raise TooManyElements(limit=max_elements, position=position_of(parser))
            if len(attributes) > max_attribute_items:
                raise TooManyAttributes(limit=limits.max_attributes, position=position_of(parser))

        def end(_name: str) -> None:
            nonlocal depth
            depth -= 1

        parser.ordered_attributes = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end

    # -- feeding ------------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Bytes fed so far."""
        return self._size

    def feed(self, data: bytes) -> None:
        """Inspect the next chunk. Raises as soon as the stream is known to be unacceptable."""
        self._size += len(data)
        if self._size > self._limits.max_bytes:
            raise TooLarge(limit=self._limits.max_bytes)
        data = self._head.take(data)
        if data:
            self._parse(data, final=False)

    def close(self) -> None:
        """Finish: the document must be complete and well-formed."""
        self._parse(self._head.finish(), final=True)

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self._parser.Parse(data, final)
        except XMLError:
            raise
        except expat.ExpatError as exc:
            raise translate_expat_error(exc) from exc
        except (ValueError, LookupError) as exc:
            # pyexpat's unknown-encoding hook rejects multi-byte or unknown codecs this way.
            raise EncodingRefused("the document's encoding cannot be inspected") from exc


def inspect_bytes(data: bytes, limits: XMLLimits = DEFAULT_LIMITS, *, charset: str | None = None) -> None:
    """Inspect a whole document held in memory; raise an :class:`XMLError` if it is refused."""
    inspector = XMLInspector(limits, charset=charset)
    inspector.feed(data)
    inspector.close()


__all__ = [
    "ENCODING_ERROR_CODES",
    "XINCLUDE_NAMESPACES",
    "XMLInspector",
    "check_declared_encoding",
    "error_for_code",
    "inspect_bytes",
    "position_of",
    "translate_expat_error",
]
