"""Which encodings Sentinel inspects, and how it tells them apart (XML 1.0, Appendix F).

Sentinel decides, it does not guess: a body is decoded the way the XML specification's encoding
detection says (byte order mark, else the first four bytes), and only encodings in which every XML
parser sees the same markup are accepted:

- UTF-8 and the ASCII-compatible single-byte charsets (US-ASCII, ISO-8859-x, windows-125x): their
  bytes below 0x80 are ASCII, so ``<``, ``!`` and quotes are the same bytes in all of them, and a
  parser that picks the "wrong" one of these still sees the same markup;
- UTF-16 (either byte order): a UTF-16 view of a valid 8-bit document would need NUL bytes, which
  no well-formed document contains, so the two families cannot hide markup from each other.

Everything else is refused (:class:`~sentinel.xml.errors.EncodingRefused`), because a guard that
decodes differently from the app's parser can be walked around: UTF-7 (``+ADw-`` is ``<``, the
classic WAF bypass), UTF-32/UCS-4 (expat cannot read it, libxml2 can), EBCDIC (code pages disagree
on ``!`` and ``[``), and multi-byte charsets such as Shift_JIS or GBK whose trail bytes fall in the
ASCII range.
"""

from __future__ import annotations

import codecs
import functools
from dataclasses import dataclass

from sentinel.xml.errors import EncodingRefused, sanitise_name

#: Canonical (``codecs.lookup(...).name``) names of the encodings Sentinel accepts.
ASCII_COMPATIBLE = frozenset(
    {"utf-8", "ascii", *(f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16))}
    | {f"cp{n}" for n in range(1250, 1259)}
)
UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})
ALLOWED_ENCODINGS = ASCII_COMPATIBLE | UTF16

#: What the first four bytes can tell (byte order marks first, then Appendix F patterns).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_UTF7_BOM = b"+/v"
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
#: The longest prefix :func:`detect` needs to decide.
HEAD_BYTES = 4


@dataclass(frozen=True, kw_only=True)
class Detection:
    """What the start of a byte stream says about its encoding."""

    #: A Python codec that decodes the stream well enough to find markup.
    codec: str
    #: Bytes of byte order mark to skip before decoding.
    bom: int
    #: Whether Sentinel inspects documents in this encoding (else it refuses them).
    inspectable: bool
    #: "8bit" (ASCII-compatible), "utf-16", or the name of a refused family.
    family: str


#: ASCII-compatible: decoded as Latin-1 for sniffing, which maps every byte and keeps ASCII markup.
_EIGHT_BIT = Detection(codec="latin-1", bom=0, inspectable=True, family="8bit")


def _nul_pattern(head: bytes) -> str | None:
    """UTF-16/32 without a BOM, from where the NUL bytes fall (whatever the first character is)."""
    if len(head) < HEAD_BYTES:
        return None
    zeros = (head[0] == 0, head[1] == 0, head[2] == 0, head[3] == 0)
    patterns = {
        (True, True, True, False): "utf-32-be",
        (False, True, True, True): "utf-32-le",
        (True, False, True, False): "utf-16-be",
        (False, True, False, True): "utf-16-le",
    }
    return patterns.get(zeros)


def detect(head: bytes) -> Detection:
    """Classify a stream from its first :data:`HEAD_BYTES` bytes (fewer only at end of stream)."""
    if head[:1] == b"<" and head[1:2] not in (b"\x00", b""):
        return _EIGHT_BIT  # the common case: "<?xm" or a root element in an 8-bit encoding
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return _classified(codec, len(bom))
    if head.startswith(_UTF7_BOM) and len(head) >= HEAD_BYTES and head[3:4] in (b"8", b"9", b"+", b"/"):
        return Detection(codec="utf-7", bom=0, inspectable=False, family="utf-7")
    if head.startswith(_EBCDIC_XML):
        return Detection(codec="cp037", bom=0, inspectable=False, family="ebcdic")
    unmarked = _nul_pattern(head)
    if unmarked is not None:
        return _classified(unmarked, 0)
    return _EIGHT_BIT


def _classified(codec: str, bom: int) -> Detection:
    if codec.startswith("utf-32"):
        return Detection(codec=codec, bom=bom, inspectable=False, family="utf-32")
    if codec.startswith("utf-16"):
        return Detection(codec=codec, bom=bom, inspectable=True, family="utf-16")
    return Detection(codec="latin-1", bom=bom, inspectable=True, family="8bit")


def require_inspectable(detection: Detection) -> None:
    """Raise :class:`EncodingRefused` for a stream in an encoding Sentinel does not inspect."""
    if not detection.inspectable:
        raise EncodingRefused(
            f"documents encoded as {detection.family.upper()} are refused: "
            "send UTF-8 (or UTF-16 with a byte order mark)"
        )


@functools.lru_cache(maxsize=128)
def canonical(name: str) -> str | None:
    """The codec's canonical name, or ``None`` when Python does not know the encoding."""
    try:
        return codecs.lookup(name.strip()).name
    except (LookupError, ValueError):
        return None


#: Names expat knows natively; the rest reach it through pyexpat's single-byte codec hook.
_EXPAT_NAMES = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "ascii": "US-ASCII",
    "iso8859-1": "ISO-8859-1",
}


def expat_name(name: str) -> str:
    """The name to give expat for an allowed encoding (raises :class:`EncodingRefused` otherwise)."""
    family_of(name)
    found = canonical(name) or name
    return _EXPAT_NAMES.get(found, found)


def family_of(name: str) -> str:
    """ "8bit" or "utf-16" for an allowed encoding name; raise :class:`EncodingRefused` otherwise."""
    found = canonical(name)
    if found in ASCII_COMPATIBLE:
        return "8bit"
    if found in UTF16:
        return "utf-16"
    raise EncodingRefused(
        f"encoding {sanitise_name(name)!r} is refused: Sentinel inspects only UTF-8, UTF-16, US-ASCII, "
        "ISO-8859-x and windows-125x"
    )


class StreamHead:
    """Holds back the first bytes of a stream until its encoding is known, then checks it.

    ``charset`` is an out-of-band declaration (the HTTP ``charset`` parameter): it must be allowed
    and of the same family as the bytes, so parsers that honour it and parsers that ignore it agree.
    """

    def __init__(self, charset: str | None = None) -> None:
        self._charset_family = family_of(charset) if charset is not None else None
        self._held = b""
        #: "8bit" or "utf-16" once known; ``None`` while undecided.
        self.family: str | None = None

    def take(self, data: bytes) -> bytes:
        """The bytes ready to parse now: nothing until :data:`HEAD_BYTES` have arrived."""
        if self.family is not None:
            return data
        self._held += data
        if len(self._held) < HEAD_BYTES:
            return b""
        return self.finish()

    def finish(self) -> bytes:
        """Decide on what has arrived (at end of stream, or once enough is held)."""
        held, self._held = self._held, b""
        if self.family is None:
            detection = detect(held)
            require_inspectable(detection)
            if self._charset_family is not None and self._charset_family != detection.family:
                raise EncodingRefused("the charset parameter does not match the document's bytes")
            self.family = detection.family
        return held


__all__ = [
    "ALLOWED_ENCODINGS",
    "ASCII_COMPATIBLE",
    "HEAD_BYTES",
    "UTF16",
    "Detection",
    "StreamHead",
    "canonical",
    "detect",
    "expat_name",
    "family_of",
    "require_inspectable",
]
