"""lxml-backed safe parsing; this module exists only when lxml is installed (lxml stays optional).

Each document is first inspected by :class:`~sentinel.xml.inspector.XMLInspector` (the guard's own
checks: no DTD, no entity, no external reference, no XInclude, an inspectable encoding, the limits),
then parsed by a libxml2 parser configured as tightly as lxml allows: ``resolve_entities=False``,
``no_network=True``, ``load_dtd=False``, no DTD validation or attribute defaults, ``huge_tree=False``.
After parsing, the tree's ``docinfo`` is checked again for any DTD, in case libxml2 ever read the
bytes differently from expat. The price is two passes over the document (see docs/xml.md).

Only ``bytes`` are accepted: lxml itself rejects ``str`` input that carries an encoding declaration,
and bytes keep the encoding checks meaningful. There is no ``iterparse``: the inspection pass needs
the whole document first; use :func:`sentinel.xml.iterparse` to stream.
"""

from __future__ import annotations

import os

from sentinel.xml.errors import DTDForbidden, MalformedXML, TooLarge
from sentinel.xml.etree import Source
from sentinel.xml.inspector import inspect_bytes
from sentinel.xml.limits import DEFAULT_LIMITS, XMLLimits

try:
    from lxml import etree
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without lxml
    raise ImportError("sentinel.xml.lxml needs lxml, an optional dependency: pip install lxml") from exc

_SYNTAX_ERROR = 2  # expat's XML_ERROR_SYNTAX, reused so MalformedXML always carries a code


def hardened_parser() -> etree.XMLParser:
    """A new lxml parser that resolves nothing, fetches nothing and keeps libxml2's size limits."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
    )


def fromstring(data: bytes, *, limits: XMLLimits = DEFAULT_LIMITS) -> etree._Element:
    """Inspect, then parse, a document held in memory; return its root element."""
    if isinstance(data, str):
        raise TypeError("sentinel.xml.lxml.fromstring takes bytes; encode text first")
    inspect_bytes(data, limits)
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise MalformedXML(f"libxml2: {exc.msg}", code=_SYNTAX_ERROR, position=(line, column)) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DTDForbidden()
    return root


def parse(source: Source, *, limits: XMLLimits = DEFAULT_LIMITS) -> etree._ElementTree:
    """Read a file (a path or a binary file object, at most ``max_bytes``), then as :func:`fromstring`."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    else:
        data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise TooLarge(limit=limits.max_bytes)
    return fromstring(data, limits=limits).getroottree()


__all__ = ["fromstring", "hardened_parser", "parse"]
