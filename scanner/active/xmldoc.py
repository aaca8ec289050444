"""Build XXE probe documents from the target's own example document.

The target accepts documents of a shape it knows (its root element, its fields). The probe keeps that
shape: the example's prolog, root and elements stay; a ``DOCTYPE`` with one entity declaration goes
in front of the root, and the probe text (an entity reference between two canaries) goes in front of
the first text the document has (or inside the root when it has none). Regular expressions only:
the scanner never parses the target's XML with a resolving parser of its own.
"""

from __future__ import annotations

import re

from scanner.active.points import looks_like_xml

#: The document used when a parameter is named like XML but has no example value.
FALLBACK_DOCUMENT = "<data>test</data>"
_PROLOG = re.compile(r"\A\s*(<\?xml\b[^>]*\?>)?\s*", re.S)
_DOCTYPE = re.compile(r"<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ROOT = re.compile(r"<(?P<name>[A-Za-z_][\w.:-]*)(?P<attrs>[^<>]*?)(?P<empty>/?)>")
_TEXT = re.compile(r">(?P<space>\s*)(?P<text>[^<\s][^<]*)<")


def probe_document(example: str, declaration: str, text: str) -> tuple[str, str]:
    """``example`` with a DOCTYPE holding ``declaration`` and ``text`` placed in its first text node.

    Returns ``(document, added)``: ``added`` is exactly what the probe put in (the DOCTYPE and
    ``text``), which is what the safety guard judges."""
    document = example if looks_like_xml(example) else FALLBACK_DOCUMENT
    prolog_match = _PROLOG.match(document)
    prolog = (prolog_match.group(1) or "") if prolog_match else ""
    body = _DOCTYPE.sub("", document[prolog_match.end() if prolog_match else 0 :], count=1).strip()
    root = _ROOT.search(_COMMENT.sub("", body))
    if root is None:
        body, root_name = FALLBACK_DOCUMENT, "data"
    else:
        root_name = root["name"]
    doctype = f"<!DOCTYPE {root_name} [{declaration}]>"
    return prolog + doctype + _insert_text(body, root_name, text), doctype + text


def _insert_text(body: str, root_name: str, text: str) -> str:
    found = _TEXT.search(body)
    if found is not None:
        at = found.start("text")
        return body[:at] + text + body[at:]
    start = re.search(rf"<{re.escape(root_name)}(?P<attrs>[^<>]*?)(?P<empty>/?)>", body)
    if start is None:  # pragma: no cover - _ROOT found it a moment ago
        return body
    if start["empty"]:
        opening = f"<{root_name}{start['attrs'].rstrip()}>"
        return body[: start.start()] + opening + text + f"</{root_name}>" + body[start.end() :]
    return body[: start.end()] + text + body[start.end() :]


__all__ = ["FALLBACK_DOCUMENT", "probe_document"]
