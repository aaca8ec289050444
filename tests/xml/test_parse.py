"""The ElementTree-compatible parse API: the corpus refused, benign documents parsed, limits typed."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from xml.etree.ElementTree import ParseError

import pytest

import sentinel.xml as sx
from sentinel.errors import ConfigurationError
from tests.xml.corpus import ATTACKS, BENIGN, Attack, nested

TINY = sx.XMLLimits(max_bytes=4096, max_depth=4, max_elements=10, max_attributes=3)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_fromstring_refuses_every_attack(attack: Attack) -> None:
    with pytest.raises(sx.XMLRefused) as caught:
        sx.fromstring(attack.body)
    assert caught.value.reason == attack.reason


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_parse_refuses_every_attack_from_a_file(attack: Attack, tmp_path: Path) -> None:
    path = tmp_path / "attack.xml"
    path.write_bytes(attack.body)
    with pytest.raises(sx.XMLRefused) as caught:
        sx.parse(path)
    assert caught.value.reason == attack.reason


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_iterparse_refuses_every_attack(attack: Attack) -> None:
    with pytest.raises(sx.XMLRefused) as caught:
        for _event in sx.iterparse(io.BytesIO(attack.body), events=("start", "end", "start-ns")):
            pass
    assert caught.value.reason == attack.reason


@pytest.mark.parametrize(("name", "body"), BENIGN, ids=[name for name, _ in BENIGN])
def test_benign_documents_parse(name: str, body: bytes) -> None:
    root = sx.fromstring(body)
    assert root.tag
    tree_root = sx.parse(io.BytesIO(body)).getroot()
    assert tree_root is not None and tree_root.tag == root.tag
    assert [e.tag for _, e in sx.iterparse(io.BytesIO(body))][-1] == root.tag


def test_parsed_content_matches_the_stdlib() -> None:
    body = dict(BENIGN)["namespaces"]
    root = sx.fromstring(body)
    item = root.find(".//{urn:orders}item")
    assert item is not None and item.text == "a"
    order = root.find(".//{urn:orders}order")
    assert order is not None and order.get("{urn:orders}id") == "1"
    assert sx.fromstring(dict(BENIGN)["predefined-entities"]).findtext("note") == "<>&'\"©😀"
    assert sx.fromstring(dict(BENIGN)["cdata"]).findtext("note") == "<!DOCTYPE not-a-dtd> & <xi:include/> "
    assert sx.fromstring(dict(BENIGN)["latin1"]).findtext("note") == "café"
    assert sx.fromstring(dict(BENIGN)["utf16"]).findtext("note") == "żółw"


def test_text_input_is_accepted_and_its_declaration_only_allow_listed() -> None:
    assert sx.fromstring('<?xml version="1.0" encoding="UTF-16"?><a>é</a>').text == "é"
    assert sx.XML("<a/>").tag == "a"
    with pytest.raises(sx.EncodingRefused):
        sx.fromstring('<?xml version="1.0" encoding="UTF-7"?><a/>')


def test_limits_are_enforced_with_typed_errors() -> None:
    with pytest.raises(sx.TooDeep) as deep:
        sx.fromstring(nested(5), limits=TINY)
    assert deep.value.limit == 4 and deep.value.position is not None
    sx.fromstring(nested(4), limits=TINY)
    with pytest.raises(sx.TooManyElements) as many:
        sx.fromstring(b"<a>" + b"<b/>" * 10 + b"</a>", limits=TINY)
    assert many.value.limit == 10
    with pytest.raises(sx.TooManyAttributes):
        sx.fromstring(b'<a w="1" x="2" y="3" z="4"/>', limits=TINY)
    sx.fromstring(b'<a xmlns="urn:a" xmlns:p="urn:p" x="2" y="3" z="4"/>', limits=TINY)  # xmlns not counted
    with pytest.raises(sx.TooLarge) as large:
        sx.fromstring(b"<a>" + b" " * 5000 + b"</a>", limits=TINY)
    assert large.value.limit == 4096
    assert isinstance(large.value, sx.LimitExceeded)


def test_limits_stop_a_stream_before_it_is_all_read() -> None:
    stream = io.BytesIO(b"<a>" + b"<b/>" * 1_000_000 + b"</a>")
    with pytest.raises(sx.TooManyElements):
        for _event, element in sx.iterparse(stream, limits=dataclasses.replace(TINY, max_bytes=10**8)):
            element.clear()
    assert stream.tell() < 200_000  # stopped within the first chunks, not after 4 MB


def test_parse_counts_bytes_from_files() -> None:
    with pytest.raises(sx.TooLarge):
        sx.parse(io.BytesIO(b"<a>" + b"x" * 5000 + b"</a>"), limits=TINY)


def test_presets_are_ordered_and_validated() -> None:
    strict, default, large = sx.STRICT_LIMITS, sx.DEFAULT_LIMITS, sx.LARGE_LIMITS
    for field in dataclasses.fields(sx.XMLLimits):
        assert getattr(strict, field.name) <= getattr(default, field.name) <= getattr(large, field.name)
    with pytest.raises(ConfigurationError) as bad:
        sx.XMLLimits(max_bytes=0, max_depth=-1, max_elements=True, max_attributes=1.5)  # type: ignore[arg-type]
    assert len(bad.value.problems) == 4


def test_malformed_documents_raise_a_parse_error_compatible_error() -> None:
    with pytest.raises(ParseError) as caught:
        sx.fromstring(b"<order><item></order>")
    error = caught.value
    assert isinstance(error, sx.MalformedXML) and isinstance(error, ValueError)
    assert error.code == 7 and error.position == (1, 15)
    assert str(error) == "mismatched tag (line 1, column 15)"
    with pytest.raises(sx.MalformedXML, match="undefined entity"):
        sx.fromstring(b"<a>&undeclared;</a>")
    with pytest.raises(sx.MalformedXML, match="no element found"):
        sx.fromstring(b"")


def test_allow_dtd_accepts_only_internal_dtds_without_entities() -> None:
    root = sx.fromstring(b"<!DOCTYPE html><html><p>hi</p></html>", allow_dtd=True)
    assert root.findtext("p") == "hi"
    with pytest.raises(sx.EntitiesForbidden):
        sx.fromstring(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', allow_dtd=True)
    with pytest.raises(sx.EntitiesForbidden):
        sx.fromstring(b'<!DOCTYPE a [<!ENTITY e SYSTEM "x" NDATA gif>]><a/>', allow_dtd=True)
    with pytest.raises(sx.ExternalReferenceForbidden):
        sx.fromstring(b'<!DOCTYPE a SYSTEM "http://attacker.example/a.dtd"><a/>', allow_dtd=True)
    with pytest.raises(sx.ExternalReferenceForbidden):
        sx.fromstring(b'<!DOCTYPE a PUBLIC "-//A//EN" "a.dtd"><a/>', allow_dtd=True)
    for attack in ATTACKS:  # entities and external references stay refused with a DTD allowed
        if attack.reason == "xml-dtd-forbidden":
            with pytest.raises(sx.XMLRefused):
                sx.fromstring(attack.body, allow_dtd=True)


def test_iterparse_reports_events_like_elementtree_and_sets_root() -> None:
    body = b'<a xmlns:p="urn:p"><!--c--><?pi d?><p:b/></a>'
    events = list(
        sx.iterparse(io.BytesIO(body), events=("start", "end", "start-ns", "end-ns", "comment", "pi"))
    )
    kinds = [event for event, _ in events]
    assert kinds == ["start-ns", "start", "comment", "pi", "start", "end", "end", "end-ns"]
    assert events[0][1] == ("p", "urn:p")
    iterator = sx.iterparse(io.BytesIO(body))
    assert iterator.root is None
    assert [element.tag for _, element in iterator] == ["{urn:p}b", "a"]
    assert iterator.root is not None and iterator.root.tag == "a"


def test_iterparse_and_parse_open_and_close_paths(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_bytes(b"<a><b/></a>")
    from_path = sx.parse(str(path)).getroot()
    assert from_path is not None and from_path.tag == "a"
    assert [e.tag for _, e in sx.iterparse(path)] == ["b", "a"]
    caller_file = path.open("rb")
    sx.parse(caller_file)
    assert not caller_file.closed  # the caller's file stays the caller's
    caller_file.close()


def test_defusedxml_and_expat_errors_never_escape() -> None:
    import defusedxml

    for attack in ATTACKS:
        try:
            sx.fromstring(attack.body, allow_dtd=True)
        except sx.XMLError as exc:
            assert not isinstance(exc, defusedxml.DefusedXmlException)
