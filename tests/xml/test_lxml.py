"""The lxml-backed variant: same refusals, a tightly configured libxml2, and optional lxml."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import sentinel.xml as sx
from tests.support.servers import ROOT
from tests.xml.corpus import ATTACKS, BENIGN, Attack

lxml_safe = pytest.importorskip("sentinel.xml.lxml", reason="lxml is not installed")
etree = pytest.importorskip("lxml.etree")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_lxml_variant_refuses_every_attack(attack: Attack) -> None:
    with pytest.raises(sx.XMLRefused) as caught:
        lxml_safe.fromstring(attack.body)
    assert caught.value.reason == attack.reason


@pytest.mark.parametrize(("name", "body"), BENIGN, ids=[name for name, _ in BENIGN])
def test_lxml_variant_parses_benign_documents_like_elementtree(name: str, body: bytes) -> None:
    root = lxml_safe.fromstring(body)
    reference = sx.fromstring(body)
    assert root.tag == reference.tag
    assert [e.tag for e in root.iter() if isinstance(e.tag, str)] == [e.tag for e in reference.iter()]


def test_hardened_parser_configuration() -> None:
    parser = lxml_safe.hardened_parser()
    # lxml does not expose its options; libxml2's behaviour shows them. Entities stay unresolved:
    secret_doc = b'<!DOCTYPE a [<!ENTITY e "expanded">]><a>&e;</a>'
    root = etree.fromstring(secret_doc, parser=parser)
    assert "expanded" not in etree.tostring(root).decode()
    # huge_tree=False keeps libxml2's own depth cap (256 levels).
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(b"<a>" * 300 + b"</a>" * 300, parser=lxml_safe.hardened_parser())


def test_lxml_stage_refuses_a_dtd_even_when_the_inspection_is_bypassed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defence in depth: if expat and libxml2 ever disagreed, the docinfo check still refuses."""
    monkeypatch.setattr(lxml_safe, "inspect_bytes", lambda data, limits: None)
    with pytest.raises(sx.DTDForbidden):
        lxml_safe.fromstring(b'<!DOCTYPE a SYSTEM "http://attacker.example/a.dtd"><a/>')
    with pytest.raises(sx.DTDForbidden):
        lxml_safe.fromstring(b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>')


def test_lxml_errors_are_typed() -> None:
    with pytest.raises(TypeError):
        lxml_safe.fromstring("<a/>")
    with pytest.raises(sx.MalformedXML):
        lxml_safe.fromstring(b"<a><b></a>")
    # Past libxml2's own depth cap (huge_tree=False), which looser custom limits cannot lift.
    deep_limits = sx.XMLLimits(max_bytes=10_000, max_depth=1000, max_elements=1000, max_attributes=1)
    with pytest.raises(sx.MalformedXML, match="libxml2"):
        lxml_safe.fromstring(b"<a>" * 300 + b"</a>" * 300, limits=deep_limits)


def test_lxml_parse_reads_at_most_max_bytes(tmp_path: Path) -> None:
    limits = sx.XMLLimits(max_bytes=100, max_depth=4, max_elements=10, max_attributes=2)
    with pytest.raises(sx.TooLarge):
        lxml_safe.parse(io.BytesIO(b"<a>" + b"x" * 200 + b"</a>"), limits=limits)
    path = tmp_path / "a.xml"
    path.write_bytes(b"<a><b/></a>")
    tree = lxml_safe.parse(path, limits=limits)
    assert tree.getroot().tag == "a"
    assert lxml_safe.parse(io.BytesIO(b"<a/>")).getroot().tag == "a"


def test_sentinel_xml_works_without_lxml_and_the_variant_says_why() -> None:
    code = (
        "import sys; sys.modules['lxml'] = None\n"
        "import sentinel.xml as sx\n"
        "assert sx.fromstring(b'<a/>').tag == 'a'\n"
        "assert not sx.HAS_LXML\n"
        "try:\n"
        "    import sentinel.xml.lxml\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "needs lxml, an optional dependency: pip install lxml" in out.stdout
