"""``defuse_stdlib()``: make the standard library's XML entry points refuse entities and XXE.

For apps with old code paths that call ``xml.etree.ElementTree.fromstring``, ``xml.dom.minidom``,
``xml.sax`` or ``xmlrpc`` directly. Call it once, first thing at start-up, before the modules that
parse XML are imported. It replaces those entry points with defusedxml's, which refuse entity
declarations and external references (so entity bombs and XXE), with defusedxml's own defaults.

Why not ``defusedxml.defuse_stdlib()``: in defusedxml 0.7.1 it imports the deprecated
``defusedxml.cElementTree`` and its ``catch_warnings`` block does not silence the warning, so under
``-W error`` (or pytest's ``filterwarnings = error``) it raises ``DeprecationWarning`` (defusedxml
issue #88, fixed in 0.8.0rc2), and it patches by reflecting over module attributes. This version
names every entry point it replaces, uses only defusedxml's public modules, and works the same with
0.7.1 and 0.8.

Functions bound before the call (``from xml.etree.ElementTree import fromstring``) are covered too:
they look ``XMLParser`` or ``expatbuilder`` up in their module at call time. What it does NOT cover
(see docs/xml.md): parser *classes* bound before the call (``from xml.etree.ElementTree import
XMLParser``) and parser objects already built; ``xml.parsers.expat`` / ``pyexpat`` used directly, and
libraries built on it that way (``xmltodict``, ``plistlib``); lxml and other third-party parsers;
DTDs without entities (still parsed); any size, depth or element limit (use :mod:`sentinel.xml` for
those). It also swaps ElementTree's C-accelerated parser for defusedxml's pure-Python subclass,
which is slower.
"""

from __future__ import annotations

import importlib
import threading

#: (stdlib module, defusedxml module, names replaced).
_PATCHES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "xml.etree.ElementTree",
        "defusedxml.ElementTree",
        ("XMLParser", "XML", "fromstring", "iterparse", "parse"),
    ),
    (
        "xml.etree.cElementTree",
        "defusedxml.ElementTree",
        ("XMLParser", "XML", "fromstring", "iterparse", "parse"),
    ),
    ("xml.dom.expatbuilder", "defusedxml.expatbuilder", ("parse", "parseString")),
    ("xml.dom.minidom", "defusedxml.minidom", ("parse", "parseString")),
    ("xml.dom.pulldom", "defusedxml.pulldom", ("parse", "parseString")),
    ("xml.sax", "defusedxml.sax", ("make_parser", "parse", "parseString")),
    ("xml.sax.expatreader", "defusedxml.expatreader", ("create_parser",)),
)
#: What ``defusedxml.xmlrpc.monkey_patch()`` replaces (a defused parser and a bounded gzip decoder).
_XMLRPC = ("xmlrpc.client.FastParser", "xmlrpc.client.GzipDecodedResponse", "xmlrpc.client.gzip_decode")

_lock = threading.Lock()
_patched: tuple[str, ...] = ()


def defuse_stdlib() -> tuple[str, ...]:
    """Replace the stdlib's XML entry points with defusedxml's; return the names replaced.

    Idempotent and thread-safe: later calls change nothing and return the same names.
    """
    global _patched
    with _lock:
        if not _patched:
            _patched = _apply()
        return _patched


def _apply() -> tuple[str, ...]:
    done: list[str] = []
    for stdlib_name, defused_name, names in _PATCHES:
        stdlib = importlib.import_module(stdlib_name)
        defused = importlib.import_module(defused_name)
        for name in names:
            if hasattr(stdlib, name) and hasattr(defused, name):
                setattr(stdlib, name, getattr(defused, name))
                done.append(f"{stdlib_name}.{name}")
    xmlrpc = importlib.import_module("defusedxml.xmlrpc")
    xmlrpc.monkey_patch()
    done.extend(_XMLRPC)
    return tuple(done)


__all__ = ["defuse_stdlib"]
