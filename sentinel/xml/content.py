"""What a request's headers say about its body: XML or not, charset, size, compression.

Media types are matched case-insensitively with parameters stripped. XML types are
``application/xml``, ``text/xml`` (SOAP 1.1), every ``*/*+xml`` structured-syntax type (RFC 6839:
``application/soap+xml``, ``application/atom+xml``, ``image/svg+xml``...), the XML DTD and external
parsed entity types, and whatever the app adds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sentinel.xml.encoding import family_of
from sentinel.xml.errors import EncodingRefused

XML_MEDIA_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/xml-dtd",
        "application/xml-external-parsed-entity",
        "text/xml-external-parsed-entity",
    }
)
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def parse_media_type(value: bytes) -> tuple[str, str | None]:
    """``(type/subtype, charset)`` from a Content-Type value; the type lower-cased."""
    main, *params = value.decode("latin-1").split(";")
    charset = None
    for param in params:
        key, _, raw = param.partition("=")
        if key.strip().lower() == "charset":
            charset = raw.strip().strip('"').strip()
    return main.strip().lower(), charset


def is_xml_media_type(media_type: str, extra: frozenset[str] = frozenset()) -> bool:
    return media_type in XML_MEDIA_TYPES or media_type.endswith("+xml") or media_type in extra


@dataclass(frozen=True, kw_only=True)
class BodyInfo:
    """The headers' account of a request body."""

    #: Declared as XML by a Content-Type.
    xml: bool = False
    #: Declared as ``application/x-www-form-urlencoded``.
    form: bool = False
    #: Its Content-Type is exempt from sniffing.
    exempt: bool = False
    #: The charset parameter of its XML Content-Type, if any.
    charset: str | None = None
    #: The largest Content-Length given, if any parses.
    content_length: int | None = None
    #: A Content-Encoding other than ``identity`` (gzip, br...): Sentinel cannot read it.
    encoded: bool = False


def _content_length(values: list[bytes]) -> int | None:
    lengths = [int(v) for v in values if v.strip().isdigit()]
    return max(lengths) if lengths else None


def _encoded(values: list[bytes]) -> bool:
    codings = {token.strip().lower() for v in values for token in v.split(b",")}
    return bool(codings - {b"", b"identity"})


def describe(
    headers: Iterable[tuple[bytes, bytes]],
    *,
    extra_xml_types: frozenset[str] = frozenset(),
    sniff_exempt_types: frozenset[str] = frozenset(),
) -> BodyInfo:
    """Read the body-related headers. Raises :class:`EncodingRefused` for conflicting charsets.

    A request may carry several Content-Type fields (invalid, but servers pass them on): it counts
    as XML if any of them is XML, and all their charsets must agree in family, so no reading of the
    headers lets a parser decode the body differently from the guard.
    """
    types: list[tuple[str, str | None]] = []
    lengths: list[bytes] = []
    encodings: list[bytes] = []
    for name, value in headers:
        if name == b"content-type":
            types.append(parse_media_type(value))
        elif name == b"content-length":
            lengths.append(value)
        elif name == b"content-encoding":
            encodings.append(value)
    xml = [charset for media_type, charset in types if is_xml_media_type(media_type, extra_xml_types)]
    charsets = [c for c in xml if c]
    if len({family_of(c) for c in charsets}) > 1:
        raise EncodingRefused("the request's Content-Type fields name conflicting charsets")
    return BodyInfo(
        xml=bool(xml),
        form=any(media_type == FORM_MEDIA_TYPE for media_type, _ in types),
        exempt=bool(types) and all(media_type in sniff_exempt_types for media_type, _ in types),
        charset=charsets[0] if charsets else None,
        content_length=_content_length(lengths),
        encoded=_encoded(encodings),
    )


__all__ = [
    "FORM_MEDIA_TYPE",
    "XML_MEDIA_TYPES",
    "BodyInfo",
    "describe",
    "is_xml_media_type",
    "parse_media_type",
]
