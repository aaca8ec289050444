"""defuse_stdlib(): run in a fresh interpreter, since it changes the stdlib for the whole process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.servers import ROOT

PRELUDE = """
import io, sys, xml.sax
BOMB = b'<!DOCTYPE a [<!ENTITY e "x"><!ENTITY f "&e;&e;">]><a>&f;</a>'
XXE = b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/hostname">]><a>&e;</a>'

def refused(call):
    for doc in (BOMB, XXE):
        try:
            call(doc)
        except ValueError as exc:  # defusedxml's errors are ValueErrors
            assert type(exc).__module__.startswith("defusedxml"), repr(exc)
        else:
            return False
    return True
"""


def run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", PRELUDE + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_defuse_stdlib_covers_the_stdlib_entry_points_and_is_idempotent() -> None:
    out = run(
        """
        import xml.etree.ElementTree as ET
        # Before: the stdlib expands the entities.
        assert ET.fromstring(BOMB).text == "xx"
        import sentinel.xml
        names = sentinel.xml.defuse_stdlib()
        assert sentinel.xml.defuse_stdlib() is names
        import xml.dom.minidom, xml.dom.pulldom, xml.etree.cElementTree as CET
        checks = {
            "ET.fromstring": ET.fromstring,
            "ET.XML": ET.XML,
            "ET.parse": lambda d: ET.parse(io.BytesIO(d)),
            "ET.iterparse": lambda d: list(ET.iterparse(io.BytesIO(d))),
            "ET.XMLParser": lambda d: ET.XMLParser().feed(d),
            "ET.XMLPullParser": lambda d: list((p := ET.XMLPullParser(), p.feed(d), p.read_events())[2]),
            "ET.fromstringlist": lambda d: ET.fromstringlist([d]),
            "cElementTree.fromstring": CET.fromstring,
            "minidom.parseString": xml.dom.minidom.parseString,
            "minidom.parse": lambda d: xml.dom.minidom.parse(io.BytesIO(d)),
            "pulldom.parseString": lambda d: list(xml.dom.pulldom.parseString(d.decode())),
            "sax.parseString": lambda d: xml.sax.parseString(d, xml.sax.ContentHandler()),
            "sax.make_parser": lambda d: xml.sax.make_parser().parse(io.BytesIO(d)),
        }
        failed = [name for name, call in checks.items() if not refused(call)]
        assert not failed, failed
        import xmlrpc.client, defusedxml.xmlrpc
        assert xmlrpc.client.FastParser is defusedxml.xmlrpc.DefusedExpatParser
        print(len(names))
        """
    )
    assert int(out) == 23


def test_what_defuse_stdlib_does_not_cover() -> None:
    """Pinned so docs/xml.md stays honest about what is and is not replaced."""
    run(
        """
        from xml.etree.ElementTree import XMLParser as EarlyParser, fromstring as early_fromstring
        from xml.dom.minidom import parseString as early_parse_string
        import xml.parsers.expat
        import sentinel.xml
        built_before = EarlyParser()
        sentinel.xml.defuse_stdlib()
        # Functions bound early still look the parser up at call time: covered.
        assert refused(early_fromstring) and refused(early_parse_string)
        # Classes bound early, and parsers built before the call, are not.
        built_before.feed(BOMB)
        assert built_before.close().text == "xx"
        late = EarlyParser()
        late.feed(BOMB)
        assert late.close().text == "xx"
        parser = xml.parsers.expat.ParserCreate()
        parser.Parse(BOMB, True)  # raw expat: nothing replaced
        assert sentinel.xml.fromstring(b"<a/>").tag == "a"  # sentinel.xml is unaffected
        """
    )
