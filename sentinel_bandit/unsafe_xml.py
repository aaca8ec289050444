"""SNT906 unsafe-xml-parsing: XML parsed outside defusedxml/sentinel.xml, or with entities on (CWE-611).

**What it detects.**

- A parse with the standard library or lxml instead of ``defusedxml``/``sentinel.xml``:
  ``xml.etree.ElementTree``/``cElementTree`` ``parse``, ``iterparse``, ``fromstring``,
  ``fromstringlist``, ``XML``; ``xml.dom.minidom``/``pulldom``/``expatbuilder`` ``parse``,
  ``parseString``; ``xml.sax`` ``parse``, ``parseString``, ``make_parser``; ``lxml.etree`` and
  ``lxml.objectify`` ``parse``, ``fromstring``, ``fromstringlist``, ``XML``, ``iterparse``. An lxml
  parse given an explicit ``parser`` is left to the rule below, which judges that parser. XML the
  source holds itself (a literal, a module constant bound once to one, its ``.encode()``, a
  ``BytesIO`` of it) is not reported: no one else writes it. Severity
  medium; **high** when the parsed data comes from the request (:mod:`sentinel_bandit._taint`).
- A parser configured to resolve entities or fetch DTDs, wherever its input comes from (severity
  high): ``lxml.etree.XMLParser``/``XMLPullParser``/``iterparse``/``lxml.objectify.makeparser`` with
  ``resolve_entities=True``, ``load_dtd=True``, ``no_network=False``, ``huge_tree=True`` (which also
  lifts lxml's expansion limits); SAX ``setFeature(feature_external_ges | feature_external_pes,
  True)``.

bandit's B313-B320 blacklist the same standard-library calls at medium severity; this rule adds
what they do not distinguish: request data reaching the parser, and entity-resolving configuration.

**Why it matters.** XML external entities (``SYSTEM "file:///etc/passwd"``) read local files and make
the server send requests (XXE, SSRF); nested internal entities ("billion laughs") exhaust memory.
Most parsers' defaults still allow some of it; the answer is configuration, not a home-made parser.

**Example evidence.** ``ET.fromstring(await request.body())``.

**How to fix.** Parse with ``sentinel.xml`` (``sentinel.xml.fromstring``) or ``defusedxml``; for lxml
use ``sentinel.xml.lxml`` or an ``XMLParser(resolve_entities=False, no_network=True)``.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import argument, call_qualname, callee_name, keyword, literal, parents, qualname
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit._taint import Kind, module_taint
from sentinel_bandit.rules import UNSAFE_XML

_ETREE = ("parse", "iterparse", "fromstring", "fromstringlist", "XML")
_DOM = ("parse", "parseString")
PARSE_CALLS = frozenset(
    {f"xml.etree.{m}.{f}" for m in ("ElementTree", "cElementTree") for f in _ETREE}
    | {f"xml.dom.{m}.{f}" for m in ("minidom", "pulldom", "expatbuilder") for f in _DOM}
    | {"xml.sax.parse", "xml.sax.parseString", "xml.sax.make_parser"}
    | {f"lxml.{m}.{f}" for m in ("etree", "objectify") for f in _ETREE}
)
LXML_PARSERS = frozenset({"lxml.etree.XMLParser", "lxml.etree.XMLPullParser", "lxml.objectify.makeparser"})
#: lxml's iterparse takes the parser options itself.
LXML_ITERPARSE = frozenset({"lxml.etree.iterparse"})
#: keyword -> the value that makes the parser dangerous.
DANGEROUS_OPTIONS = {"resolve_entities": True, "load_dtd": True, "no_network": False, "huge_tree": True}
EXTERNAL_FEATURES = frozenset({"feature_external_ges", "feature_external_pes"})


def _dangerous_options(call: ast.Call) -> list[str]:
    return [
        f"{name}={value}"
        for name, value in DANGEROUS_OPTIONS.items()
        if literal(keyword(call, name)) is value
    ]


def _external_feature(call: ast.Call, aliases: dict[str, str]) -> str | None:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "setFeature" and len(call.args) == 2):
        return None
    feature = qualname(call.args[0], aliases) or ""
    name = feature.split(".")[-1]
    return name if name in EXTERNAL_FEATURES and literal(call.args[1]) is True else None


def _constant_names(node: ast.AST) -> dict[str, int]:
    """Module-level names bound to a string or bytes literal, and how often any name is bound."""
    root = node
    for parent in parents(node):
        root = parent
    cached = getattr(root, "_sentinel_xml_constants", None)
    if isinstance(cached, dict):
        return cached
    bound: dict[str, int] = {}
    literals: set[str] = set()
    for item in ast.walk(root):
        if isinstance(item, ast.Assign):
            for target in item.targets:
                for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                    bound[name] = bound.get(name, 0) + 1
                    if isinstance(target, ast.Name) and isinstance(literal(item.value), str | bytes):
                        literals.add(name)
    constants = {name: count for name, count in bound.items() if name in literals and count == 1}
    root._sentinel_xml_constants = constants  # type: ignore[attr-defined]
    return constants


_TEXT_PARSERS = frozenset({"fromstring", "fromstringlist", "XML", "parseString"})


def _written_here(node: ast.AST, at: ast.AST, *, text: bool) -> bool:
    """XML the source itself holds: a literal, a module constant bound once to one, its
    ``.encode()``, or a ``BytesIO``/``StringIO`` of either. Parsing it is not XXE. (A literal given
    to ``parse`` is a file name, not XML: ``text`` says whether the parser takes XML text.)"""
    if isinstance(node, ast.Call) and len(node.args) == 1 and callee_name(node) in ("BytesIO", "StringIO"):
        return _written_here(node.args[0], at, text=True)
    if not text:
        return False
    if isinstance(literal(node), str | bytes):
        return True
    if isinstance(node, ast.Name):
        return node.id in _constant_names(at)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode":
        return _written_here(node.func.value, at, text=True)
    return False


def _judged_elsewhere(call: ast.Call, name: str) -> bool:
    """An lxml parse given an explicit parser: that parser's construction is what gets judged."""
    return name.startswith("lxml.") and argument(call, 1, "parser") is not None


@plugin(UNSAFE_XML, "Call")
def sentinel_unsafe_xml_parsing(context: Context) -> Any:
    call = context.node
    if not isinstance(call, ast.Call):
        return None
    aliases = context.import_aliases
    name = call_qualname(call, aliases)
    if name in LXML_PARSERS or name in LXML_ITERPARSE:
        options = _dangerous_options(call)
        if options:
            text = f"{name.split('.')[-1]}({', '.join(options)}) resolves entities or loads DTDs (XXE)"
            return issue(UNSAFE_XML, call, text, confidence="HIGH", severity="HIGH")
        if name in LXML_PARSERS:
            return None
    feature = _external_feature(call, aliases)
    if feature is not None:
        text = f"SAX {feature} enabled: the parser fetches external entities (XXE)"
        return issue(UNSAFE_XML, call, text, confidence="HIGH", severity="HIGH")
    if name not in PARSE_CALLS or _judged_elsewhere(call, name):
        return None
    if call.args and _written_here(call.args[0], call, text=name.rpartition(".")[2] in _TEXT_PARSERS):
        return None
    analysis = module_taint(call)
    values = (*call.args, *(k.value for k in call.keywords))
    if analysis is not None and any(analysis.flow(value, Kind.XML) for value in values):
        text = f"{name}() parses request data without defusedxml/sentinel.xml (XXE, entity expansion)"
        return issue(UNSAFE_XML, call, text, confidence="HIGH", severity="HIGH")
    text = f"{name}() parses XML without defusedxml/sentinel.xml; use sentinel.xml or defusedxml"
    return issue(UNSAFE_XML, call, text, confidence="HIGH")
