"""The payload safety guard: what an active check may never send, enforced before every request.

The checks are written to be harmless; this guard makes a slip in one of them fail closed. Every
payload passes :func:`unsafe_reason` in :meth:`~scanner.active.probe.PointProbe.send`, on the part
the check *added* (the parameter's own benign value is not judged). A refused payload is not sent;
the scan notes it, so a refusal is never silent. What is refused:

- anything that could change or destroy data: stacked queries (``;``), ``OR`` and ``||`` (an
  OR-true payload selects every row, and on a route that updates or deletes, touches every row),
  ``DROP``/``DELETE``/``UPDATE``/``INSERT``/``ALTER`` and friends, SQLite ``ATTACH``/``PRAGMA``;
- anything that runs code beyond arithmetic and string operations: OS commands, imports, ``open``,
  ``eval``, dunder walks other than ``__class__``, Jinja's well-known escape gadgets;
- XML beyond one plain entity: parameter entities, nested entities (the entity-bomb shape), any
  external identifier other than the harmless files in :data:`ALLOWED_FILES` or a file that cannot
  exist, and any URL (no network entity, no ``expect://``);
- a delay longer than :data:`MAX_DELAY_S` or a heavy query longer than :data:`MAX_HEAVY_ROWS` rows.
"""

from __future__ import annotations

import re

from scanner.errors import ScannerError

#: Local files whose content is known and harmless to read (XXE). Nothing else is ever requested.
ALLOWED_FILES = ("file:///proc/sys/kernel/ostype", "file:///c:/windows/win.ini")
#: Error-based XXE names a file under this prefix, which cannot exist.
NONEXISTENT_PREFIX = "file:///sentinel-nonexistent-"
MAX_DELAY_S = 10.0
MAX_HEAVY_ROWS = 50_000_000

_XML_REF = re.compile(r"&#?[\w.:-]+;")
_EXTERNAL_ID = re.compile(r"\b(?:SYSTEM|PUBLIC)\s+(?:\"[^\"]*\"\s+)?\"(?P<uri>[^\"]*)\"")
_STACKED = re.compile(r";")
_OR = re.compile(r"\bor\b|\|\|", re.I)
_DESTRUCTIVE = re.compile(
    r"\b(?:drop|delete|truncate|alter|insert|update|replace\s+into|create|grant|revoke|shutdown|"
    r"exec|execute|merge|declare|load_file|outfile|dumpfile|xp_cmdshell|copy|program|attach|detach|"
    r"pragma|load_extension|vacuum|lo_import|lo_export|dbms_\w+|utl_\w+)\b",
    re.I,
)
_CODE = re.compile(
    r"\b(?:os|sys|subprocess|system|popen|spawn\w*|import|__import__|open|eval|compile|globals|"
    r"builtins|getattr|setattr|delattr|lipsum|cycler|joiner|namespace|request|config|url_for|"
    r"get_flashed_messages|runtime|process|require|child_process|Runtime|ProcessBuilder|"
    r"file_get_contents|passthru|shell_exec|proc_open)\b",
)
_DUNDER = re.compile(r"__(?!class__)\w+__")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://", re.I)
_ENTITY = re.compile(r"<!ENTITY", re.I)
_PARAMETER_ENTITY = re.compile(r"<!ENTITY\s+%", re.I)
_NESTED_ENTITY = re.compile(r"<!ENTITY\s+\S+\s+\"[^\"]*[&%][^\"]*\"", re.I)
_SLEEP = re.compile(r"sleep\s*\(\s*(?P<s>[\d.]+)\s*\)", re.I)
_HEAVY = re.compile(r"<\s*(?P<n>\d+)\s*\)")


class UnsafePayload(ScannerError):
    """A check built a payload the safety guard refuses; it was not sent (a bug in the check)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"payload refused by the safety guard: {reason}")


def _external_ids(text: str) -> tuple[str, str | None]:
    """``text`` without its allowed external identifiers, and the first disallowed one, if any."""
    bad: str | None = None

    def strip(match: re.Match[str]) -> str:
        nonlocal bad
        uri = match["uri"]
        if uri in ALLOWED_FILES or (uri.startswith(NONEXISTENT_PREFIX) and "/.." not in uri):
            return " "
        bad = bad or uri
        return match[0]

    return _EXTERNAL_ID.sub(strip, text), bad


def unsafe_reason(added: str) -> str | None:
    """Why ``added`` (what a check adds to a benign value) must not be sent; ``None`` if it may."""
    text, bad_uri = _external_ids(added)
    if bad_uri is not None:
        return f"external entity {bad_uri!r} is not one of the harmless allowed files"
    if len(_ENTITY.findall(text)) > 1:
        return "more than one entity declaration (the entity-bomb shape)"
    if _PARAMETER_ENTITY.search(text) or _NESTED_ENTITY.search(text):
        return "a parameter entity or an entity that references another"
    checks = (
        (_URL, "a URL"),
        (_OR, "OR or || (an OR-true payload can select or change every row)"),
        (_DESTRUCTIVE, "a data-changing or dangerous SQL keyword"),
        (_CODE, "code execution beyond arithmetic and string operations"),
        (_DUNDER, "a dunder walk other than __class__"),
    )
    for pattern, why in checks:
        if match := pattern.search(text):
            return f"{why}: {match[0]!r}"
    if _STACKED.search(_XML_REF.sub(" ", text)):
        return "a semicolon (stacked queries)"
    for sleep in _SLEEP.finditer(text):
        if float(sleep["s"]) > MAX_DELAY_S:
            return f"a delay above {MAX_DELAY_S:g} s"
    for heavy in _HEAVY.finditer(text):
        if int(heavy["n"]) > MAX_HEAVY_ROWS:
            return f"a heavy query above {MAX_HEAVY_ROWS} rows"
    return None


__all__ = [
    "ALLOWED_FILES",
    "MAX_DELAY_S",
    "MAX_HEAVY_ROWS",
    "NONEXISTENT_PREFIX",
    "UnsafePayload",
    "unsafe_reason",
]
