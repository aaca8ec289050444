"""Sniffing XML whatever the Content-Type, urlencoded form fields, and header classification."""

from __future__ import annotations

import pytest

from sentinel.xml.content import describe, is_xml_media_type, parse_media_type
from sentinel.xml.errors import EncodingRefused
from sentinel.xml.sniff import Sniffer, looks_like_xml, xml_form_values


@pytest.mark.parametrize(
    "body",
    [
        b"<?xml version='1.0'?><a/>",
        b"<!DOCTYPE a><a/>",
        b"<!-- first -->\n<!DOCTYPE a><a/>",
        b"<?pi x?><a/>",
        b" \t\r\n<!DOCTYPE a>",
        b"\xef\xbb\xbf<?xml version='1.0'?>",
        "<?xml version='1.0'?>".encode("utf-16"),
        "\n<!DOCTYPE a>".encode("utf-16-le"),
        "<?xml version='1.0'?>".encode("utf-16-be"),
        "<?xml version='1.0'?>".encode("utf-32"),
        "<?xml version='1.0'?>".encode("cp037"),
        b"+/v8-<?xml version='1.0'?>",
    ],
)
def test_bodies_that_announce_xml_are_sniffed(body: bytes) -> None:
    assert looks_like_xml(body)


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"{}", b"<a/>", b"<html>", b"<", b"a=<?xml", b"\xef\xbb\xbf{}"]
)
def test_other_bodies_are_not(body: bytes) -> None:
    assert not looks_like_xml(body)


def test_sniffer_decides_incrementally_and_caps_whitespace() -> None:
    sniffer = Sniffer(limit=100)
    assert sniffer.feed(b"  ") is None
    assert sniffer.feed(b"\n  <") is None
    assert sniffer.feed(b"!DOCTYPE") is True
    not_xml = Sniffer(limit=100)
    assert not_xml.feed(b'  {"a": 1}') is False
    endless = Sniffer(limit=10)
    assert [endless.feed(b"     ") for _ in range(3)] == [None, None, True]
    short = Sniffer(limit=10)
    assert short.feed(b"<?") is None
    assert short.finish() is True


def test_form_values_that_look_like_xml_are_found_on_both_separators() -> None:
    body = (
        b"a=1&doc=%3C%3Fxml+version%3D%221.0%22%3F%3E%3Ca%2F%3E"
        b";b=%3C!DOCTYPE+x%3E&%3C!--name--%3E=v&plain=%3Ca%3E"
    )
    assert list(xml_form_values(body)) == [b'<?xml version="1.0"?><a/>', b"<!DOCTYPE x>", b"<!--name-->"]
    assert list(xml_form_values(b"a=1&b=2")) == []


def test_media_types_are_classified() -> None:
    assert parse_media_type(b'Application/XML; Charset="UTF-16"; q=1') == ("application/xml", "UTF-16")
    assert parse_media_type(b"text/plain") == ("text/plain", None)
    for xml_type in (
        "application/xml",
        "text/xml",
        "application/soap+xml",
        "image/svg+xml",
        "application/xml-dtd",
    ):
        assert is_xml_media_type(xml_type)
    assert not is_xml_media_type("application/json")
    assert is_xml_media_type("application/x-custom", frozenset({"application/x-custom"}))


def test_describe_reads_every_body_header() -> None:
    info = describe(
        [
            (b"content-type", b"text/xml; charset=utf-8"),
            (b"content-length", b"12"),
            (b"content-encoding", b"gzip"),
        ]
    )
    assert (info.xml, info.charset, info.content_length, info.encoded, info.form) == (
        True,
        "utf-8",
        12,
        True,
        False,
    )
    plain = describe(
        [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-encoding", b"identity")]
    )
    assert (plain.xml, plain.form, plain.encoded, plain.content_length) == (False, True, False, None)
    assert describe([(b"content-length", b"nope")]).content_length is None
    assert describe([(b"content-type", b"text/html")], sniff_exempt_types=frozenset({"text/html"})).exempt
    assert not describe([], sniff_exempt_types=frozenset({"text/html"})).exempt


def test_conflicting_charsets_across_content_type_fields_are_refused() -> None:
    both = [
        (b"content-type", b"application/xml; charset=utf-8"),
        (b"content-type", b"text/xml; charset=utf-16"),
    ]
    with pytest.raises(EncodingRefused):
        describe(both)
    one_xml = [(b"content-type", b"application/json"), (b"content-type", b"application/xml")]
    assert describe(one_xml).xml
