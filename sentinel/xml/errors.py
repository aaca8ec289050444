"""Typed errors for ``sentinel.xml``: each says what was refused and where.

:class:`XMLError` is the base and is never raised directly. Every error is a ``ValueError`` (as
defusedxml's are), so code that already catches ``ValueError`` around a parse keeps working::

    SentinelError
    └── XMLError                          never raised directly
        ├── MalformedXML                  not well-formed; also an ElementTree ``ParseError``
        └── XMLRefused                    a forbidden feature or a limit; never raised directly
            ├── DTDForbidden              any <!DOCTYPE>: bombs and XXE both need one
            ├── EntitiesForbidden         an entity declaration (reachable only with allow_dtd=True)
            ├── ExternalReferenceForbidden  an external DTD or entity the parser would resolve
            ├── XIncludeForbidden         the XInclude namespace is declared
            ├── EncodingRefused           an encoding Sentinel cannot inspect reliably
            └── LimitExceeded             never raised directly; ``limit`` says which bound
                ├── TooLarge              more than ``max_bytes`` (the guard answers 413)
                ├── TooDeep               elements nested deeper than ``max_depth``
                ├── TooManyElements       more than ``max_elements`` elements
                └── TooManyAttributes     one element with more than ``max_attributes``

Each class carries a stable ``reason`` slug (the guard's problem ``type``) and a ``title``. Messages
hold only positions, limits and sanitised encoding names, never document content, so they are safe
to return to the client and to log.
"""

from __future__ import annotations

import re
from typing import ClassVar

# Only the exception class, for compatibility: nothing here parses.
from xml.etree.ElementTree import ParseError  # nosec B405

from sentinel.errors import SentinelError

Position = tuple[int, int]

_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def sanitise_name(name: str, *, limit: int = 40) -> str:
    """A short, log- and response-safe rendering of an attacker-chosen token (an encoding name)."""
    return _UNSAFE_CHARS.sub("?", name[:limit])


def _where(position: Position | None) -> str:
    return "" if position is None else f" (line {position[0]}, column {position[1]})"


class XMLError(SentinelError, ValueError):
    """Base of every ``sentinel.xml`` error; never raised directly."""

    reason: ClassVar[str] = "xml-error"
    title: ClassVar[str] = "XML error"

    def __init__(self, message: str, *, position: Position | None = None) -> None:
        super().__init__(message + _where(position))
        self.position = position


# ParseError types ``position`` as a plain tuple and XMLError as optional; a MalformedXML always has
# one, so the two agree in practice.
class MalformedXML(ParseError, XMLError):  # type: ignore[misc]
    """The document is not well-formed XML.

    Also an :class:`xml.etree.ElementTree.ParseError` (with ``code`` and ``position``), so callers
    that switch from ``xml.etree.ElementTree`` to :mod:`sentinel.xml` keep their ``except`` clauses.
    """

    reason = "xml-malformed"
    title = "Malformed XML"

    def __init__(self, message: str, *, code: int, position: Position) -> None:
        ParseError.__init__(self, message + _where(position))
        self.code = code
        self.position = position


class XMLRefused(XMLError):
    """The document uses a feature Sentinel refuses, or exceeds a limit; never raised directly."""

    reason = "xml-refused"
    title = "XML refused"


class DTDForbidden(XMLRefused):
    """The document has a ``<!DOCTYPE>``. Refusing every DTD refuses every entity bomb and XXE."""

    reason = "xml-dtd-forbidden"
    title = "XML DTD forbidden"

    def __init__(self, *, position: Position | None = None) -> None:
        super().__init__("DTDs are forbidden: the document has a <!DOCTYPE> declaration", position=position)


class EntitiesForbidden(XMLRefused):
    """The document declares an entity (only reachable when a DTD was explicitly allowed)."""

    reason = "xml-entity-forbidden"
    title = "XML entity declaration forbidden"

    def __init__(self, *, position: Position | None = None) -> None:
        super().__init__("entity declarations are forbidden", position=position)


class ExternalReferenceForbidden(XMLRefused):
    """The document refers to an external DTD or entity (``SYSTEM`` / ``PUBLIC``)."""

    reason = "xml-external-reference-forbidden"
    title = "XML external reference forbidden"

    def __init__(self, *, position: Position | None = None) -> None:
        super().__init__(
            "external references (SYSTEM or PUBLIC identifiers) are forbidden",
            position=position,
        )


class XIncludeForbidden(XMLRefused):
    """The document declares the XInclude namespace, which exists to pull in other resources."""

    reason = "xml-xinclude-forbidden"
    title = "XInclude forbidden"

    def __init__(self, *, position: Position | None = None) -> None:
        super().__init__(
            "XInclude is forbidden: the document declares the XInclude namespace", position=position
        )


class EncodingRefused(XMLRefused):
    """The document's encoding is one Sentinel cannot inspect reliably (UTF-7, UTF-32, EBCDIC...)."""

    reason = "xml-encoding-refused"
    title = "XML encoding refused"


class LimitExceeded(XMLRefused):
    """A size or structure limit was exceeded; never raised directly. ``limit`` is the bound."""

    what: ClassVar[str] = "limit"

    def __init__(self, *, limit: int, position: Position | None = None) -> None:
        super().__init__(f"{self.what} exceeds the limit of {limit}", position=position)
        self.limit = limit


class TooLarge(LimitExceeded):
    """More than ``max_bytes`` of XML (bytes, or characters for ``str`` input)."""

    reason = "xml-too-large"
    title = "XML body too large"
    what = "document size in bytes"


class TooDeep(LimitExceeded):
    """Elements nested deeper than ``max_depth``."""

    reason = "xml-too-deep"
    title = "XML nested too deeply"
    what = "element nesting depth"


class TooManyElements(LimitExceeded):
    """More than ``max_elements`` elements in one document."""

    reason = "xml-too-many-elements"
    title = "Too many XML elements"
    what = "element count"


class TooManyAttributes(LimitExceeded):
    """One element carries more than ``max_attributes`` attributes."""

    reason = "xml-too-many-attributes"
    title = "Too many XML attributes"
    what = "attribute count on one element"


__all__ = [
    "DTDForbidden",
    "EncodingRefused",
    "EntitiesForbidden",
    "ExternalReferenceForbidden",
    "LimitExceeded",
    "MalformedXML",
    "Position",
    "TooDeep",
    "TooLarge",
    "TooManyAttributes",
    "TooManyElements",
    "XIncludeForbidden",
    "XMLError",
    "XMLRefused",
    "sanitise_name",
]
