"""The streaming inspector and encoding detection, fed the way request bodies arrive."""

from __future__ import annotations

import tracemalloc
from typing import Any
from xml.parsers import expat

import pytest

import sentinel.xml as sx
from sentinel.xml.encoding import StreamHead, canonical, detect, family_of
from sentinel.xml.inspector import XMLInspector
from tests.xml.corpus import ATTACKS, BENIGN, PROLOG, Attack, nested


def feed_in_pieces(body: bytes, size: int, **options: object) -> None:
    inspector = XMLInspector(**options)  # type: ignore[arg-type]
    for start in range(0, len(body), size):
        inspector.feed(body[start : start + size])
    inspector.close()


# Small pieces for the small attacks (byte-by-byte through 200 KB adds only time).
SPLITS = [(a, size) for a in ATTACKS for size in (1, 3, 7, 4096) if size == 4096 or len(a.body) <= 5000]
SMALL_BENIGN = [(name, body) for name, body in BENIGN if len(body) < 5000]


@pytest.mark.parametrize(("attack", "size"), SPLITS, ids=[f"{a.name}-{size}" for a, size in SPLITS])
def test_attacks_are_refused_however_the_body_is_split(attack: Attack, size: int) -> None:
    with pytest.raises(sx.XMLRefused) as caught:
        feed_in_pieces(attack.body, size)
    assert caught.value.reason == attack.reason


@pytest.mark.parametrize(("name", "body"), SMALL_BENIGN, ids=[name for name, _ in SMALL_BENIGN])
@pytest.mark.parametrize("size", [1, 2, 5, 4096])
def test_benign_documents_pass_however_the_body_is_split(name: str, body: bytes, size: int) -> None:
    feed_in_pieces(body, size)


@pytest.mark.parametrize("name", ["billion-laughs", "quadratic-blowup"])
def test_bombs_are_refused_at_the_doctype_in_bounded_memory(name: str) -> None:
    """The refusal comes at the DOCTYPE, before any entity is declared, so nothing expands."""
    attack = next(a for a in ATTACKS if a.name == name)
    tracemalloc.start()
    try:
        with pytest.raises(sx.DTDForbidden) as caught:
            feed_in_pieces(attack.body, 65536)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.position is not None and caught.value.position[0] == 2  # the DOCTYPE's line
    # The body itself is at most 200 KB; an expansion would need gigabytes.
    assert peak < 1_000_000


def test_structure_off_still_refuses_everything_but_the_structure_limits() -> None:
    for attack in ATTACKS:
        if attack.reason != "xml-too-deep":
            with pytest.raises(sx.XMLRefused):
                feed_in_pieces(attack.body, 4096, structure=False)
    feed_in_pieces(nested(1000), 4096, structure=False)
    with pytest.raises(sx.TooDeep):
        feed_in_pieces(nested(1000), 4096, structure=True)


def test_size_limit_is_counted_before_parsing() -> None:
    limits = sx.XMLLimits(max_bytes=10, max_depth=5, max_elements=5, max_attributes=5)
    inspector = XMLInspector(limits)
    inspector.feed(b"<a>")
    assert inspector.size == 3
    with pytest.raises(sx.TooLarge):
        inspector.feed(b"12345678")


def test_limits_on_elements_and_attributes() -> None:
    limits = sx.XMLLimits(max_bytes=1000, max_depth=5, max_elements=3, max_attributes=1)
    with pytest.raises(sx.TooManyElements):
        sx.inspect_bytes(b"<a><b/><b/><b/></a>", limits)
    with pytest.raises(sx.TooManyAttributes):
        sx.inspect_bytes(b'<a x="1" y="2"/>', limits)
    sx.inspect_bytes(b'<a xmlns:p="urn:p" p:x="1"/>', limits)


def test_entity_and_external_handlers_stay_installed_as_insurance() -> None:
    """Unreachable through expat while DTDs raise first; they must still refuse if ever called."""
    parser: Any = XMLInspector()._parser
    with pytest.raises(sx.EntitiesForbidden):
        parser.EntityDeclHandler("e", False, "v", None, None, None, None)
    with pytest.raises(sx.EntitiesForbidden):
        parser.UnparsedEntityDeclHandler("e", None, "s", None, "n")
    with pytest.raises(sx.ExternalReferenceForbidden):
        parser.ExternalEntityRefHandler("c", None, "file:///etc/passwd", None)


def test_charset_parameter_must_be_allowed_and_match_the_bytes() -> None:
    utf16 = "<a>é</a>".encode("utf-16")
    sx.inspect_bytes(utf16, charset="utf-16")
    sx.inspect_bytes(b"<a>caf\xe9</a>", charset="ISO-8859-1")
    with pytest.raises(sx.EncodingRefused, match="charset parameter"):
        sx.inspect_bytes(utf16, charset="utf-8")
    with pytest.raises(sx.EncodingRefused, match="charset parameter"):
        sx.inspect_bytes(b"<a/>", charset="utf-16")
    with pytest.raises(sx.EncodingRefused):
        sx.inspect_bytes(b"<a/>", charset="utf-7")
    with pytest.raises(sx.EncodingRefused):
        sx.inspect_bytes(b"<a/>", charset="no-such-charset")


@pytest.mark.parametrize(
    ("head", "family", "inspectable"),
    [
        (b"<?xm", "8bit", True),
        (b"\xef\xbb\xbf<", "8bit", True),
        (b"\xff\xfe<\x00", "utf-16", True),
        (b"\xfe\xff\x00<", "utf-16", True),
        (b"<\x00?\x00", "utf-16", True),
        (b"\x00<\x00?", "utf-16", True),
        (b" \x00<\x00", "utf-16", True),
        (b"\xff\xfe\x00\x00", "utf-32", False),
        (b"\x00\x00\xfe\xff", "utf-32", False),
        (b"\x00\x00\x00<", "utf-32", False),
        (b"<\x00\x00\x00", "utf-32", False),
        (b"Lo\xa7\x94", "ebcdic", False),
        (b"+/v8", "utf-7", False),
        (b"+/v-", "8bit", True),
        (b"<", "8bit", True),
    ],
)
def test_encoding_detection_follows_appendix_f(head: bytes, family: str, inspectable: bool) -> None:
    detection = detect(head)
    assert (detection.family, detection.inspectable) == (family, inspectable)


def test_encoding_names_are_canonicalised_against_the_allow_list() -> None:
    assert canonical("UTF8") == "utf-8"
    assert canonical("bogus") is None
    assert family_of("us-ascii") == family_of("windows-1252") == family_of("latin1") == "8bit"
    assert family_of("UTF-16LE") == "utf-16"
    for refused in ("utf-7", "UTF-32", "cp037", "Shift_JIS", "gbk", "bogus", ""):
        with pytest.raises(sx.EncodingRefused):
            family_of(refused)
    assert "utf-8" in sx.ALLOWED_ENCODINGS and "utf-7" not in sx.ALLOWED_ENCODINGS


def test_stream_head_holds_bytes_until_it_can_decide() -> None:
    head = StreamHead()
    assert head.take(b"<") == b"" and head.family is None
    assert head.take(b"?xml") == b"<?xml" and head.family == "8bit"
    assert head.take(b" more") == b" more"
    short = StreamHead()
    assert short.take(b"<a") == b""
    assert short.finish() == b"<a" and short.family == "8bit"


def test_an_allowed_alias_expat_can_only_reach_through_a_python_codec_is_refused_cleanly() -> None:
    """pyexpat's codec hook raises a bare ValueError for multi-byte codecs; it is mapped, not leaked."""
    body = '<?xml version="1.0" encoding="utf_16_le"?><a/>'.encode("utf-16-le")
    for check in (sx.inspect_bytes, sx.fromstring):
        with pytest.raises(sx.EncodingRefused) as caught:
            check(body)
        assert isinstance(caught.value.__cause__, ValueError)


def test_declared_encoding_must_match_the_byte_family() -> None:
    with pytest.raises(sx.EncodingRefused):
        sx.inspect_bytes(PROLOG.replace(b"UTF-8", b"UTF-16") + b"<a/>")
    sx.inspect_bytes('<?xml version="1.0" encoding="utf-16"?><a/>'.encode("utf-16"))
    sx.inspect_bytes(b'<?xml version="1.0" encoding="windows-1252"?><a>\x80</a>')


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        ("ISO-8859-1", "<a>café</a>".encode("latin-1")),
        ("windows-1252", "<a>€</a>".encode("cp1252")),
        ("utf-8", "<a>€</a>".encode()),
        ("UTF-16LE", "<a>€</a>".encode("utf-16-le")),
        ("utf-16", "<a>€</a>".encode("utf-16")),
        ("us-ascii", b"<a>plain</a>"),
    ],
)
def test_charset_parameter_decodes_the_body_as_rfc_7303_says(charset: str, body: bytes) -> None:
    sx.inspect_bytes(body, charset=charset)


def test_expat_and_defusedxml_errors_map_to_typed_errors() -> None:
    """The boundary mappings, including codes the checks before them normally pre-empt."""
    import defusedxml

    from sentinel.xml.etree import SafeXMLParser
    from sentinel.xml.inspector import error_for_code

    unknown = expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]
    assert isinstance(error_for_code(unknown, (1, 2)), sx.EncodingRefused)
    syntax = expat.errors.codes[expat.errors.XML_ERROR_SYNTAX]
    malformed = error_for_code(syntax, (3, 4))
    assert isinstance(malformed, sx.MalformedXML) and malformed.position == (3, 4)
    parser = SafeXMLParser()
    cases = [
        (defusedxml.DTDForbidden("a", None, None), sx.DTDForbidden),
        (defusedxml.EntitiesForbidden("e", "v", None, None, None, None), sx.EntitiesForbidden),
        (defusedxml.ExternalReferenceForbidden("c", None, "file:///x", None), sx.ExternalReferenceForbidden),
    ]
    for original, expected in cases:
        with pytest.raises(expected) as caught:
            parser._refuse(original)
        assert caught.value.__cause__ is original
