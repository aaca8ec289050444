"""Hardened XML: a guard middleware and safe parse functions (see ``docs/xml.md``).

- :class:`XMLGuardMiddleware` checks XML request bodies before the app sees them.
- :func:`fromstring`, :func:`parse`, :func:`iterparse` are ElementTree-compatible and refuse DTDs,
  entities, external references and XInclude, within an :class:`XMLLimits` preset.
- :mod:`sentinel.xml.lxml` offers the same on lxml, importable only when lxml is installed
  (``HAS_LXML``).
- :func:`defuse_stdlib` defuses the standard library's own entry points for old code paths.
"""

from importlib.util import find_spec as _find_spec

from sentinel.xml.encoding import ALLOWED_ENCODINGS
from sentinel.xml.errors import (
    DTDForbidden,
    EncodingRefused,
    EntitiesForbidden,
    ExternalReferenceForbidden,
    LimitExceeded,
    MalformedXML,
    TooDeep,
    TooLarge,
    TooManyAttributes,
    TooManyElements,
    XIncludeForbidden,
    XMLError,
    XMLRefused,
)
from sentinel.xml.etree import XML, IterParser, SafeXMLParser, fromstring, iterparse, parse
from sentinel.xml.inspector import XMLInspector, inspect_bytes
from sentinel.xml.limits import DEFAULT_LIMITS, LARGE_LIMITS, STRICT_LIMITS, XMLLimits
from sentinel.xml.middleware import XMLGuardMiddleware
from sentinel.xml.settings import XMLGuardSettings
from sentinel.xml.stdlib import defuse_stdlib

#: Whether :mod:`sentinel.xml.lxml` can be imported (lxml is optional).
HAS_LXML = _find_spec("lxml") is not None

__all__ = [
    "ALLOWED_ENCODINGS",
    "DEFAULT_LIMITS",
    "HAS_LXML",
    "LARGE_LIMITS",
    "STRICT_LIMITS",
    "XML",
    "DTDForbidden",
    "EncodingRefused",
    "EntitiesForbidden",
    "ExternalReferenceForbidden",
    "IterParser",
    "LimitExceeded",
    "MalformedXML",
    "SafeXMLParser",
    "TooDeep",
    "TooLarge",
    "TooManyAttributes",
    "TooManyElements",
    "XIncludeForbidden",
    "XMLError",
    "XMLGuardMiddleware",
    "XMLGuardSettings",
    "XMLInspector",
    "XMLLimits",
    "XMLRefused",
    "defuse_stdlib",
    "fromstring",
    "inspect_bytes",
    "iterparse",
    "parse",
]
