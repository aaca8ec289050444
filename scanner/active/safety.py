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
- a delay longer than :data:`MAX_DELAY_S` or a heavy query longer than :data:`MAX_HEAVY_ROWS` rows;
- shell syntax (``;``, ``|``, ``&&``, backticks, ``$(...)``) other than the harmless commands of
  :data:`SHELL_COMMANDS`: ``echo $((a*b))``, ``expr a \\* b``, ``set /a a*b`` and a bounded ``sleep``;
- a path to any file but :data:`TRAVERSAL_FILES` (or one that cannot exist), however it is spelled
  (``../`` sequences, backslashes, percent-encoded once or twice, ``file://``);
- a URL to any host but a canary under the reserved ``.invalid`` top-level domain (RFC 2606: no DNS
  answers for it, so even a browser that followed an injected redirect would go nowhere);
- a header injected through CR/LF other than one ``X-Sentinel-<canary>: <canary>`` line.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from scanner.errors import ScannerError

#: Local files whose content is known and harmless to read (XXE). Nothing else is ever requested.
ALLOWED_FILES = ("file:///proc/sys/kernel/ostype", "file:///c:/windows/win.ini")
#: Error-based XXE names a file under this prefix, which cannot exist.
NONEXISTENT_PREFIX = "file:///sentinel-nonexistent-"
#: Files the path-traversal check may ask for: content known, harmless, nothing about the target's data.
#: ``/etc/passwd`` is left out on purpose: it names the target's accounts, which would land in reports.
TRAVERSAL_FILES = ("/proc/sys/kernel/ostype", "/windows/win.ini")
#: The only commands a command-injection payload may run (arithmetic, and a bounded delay).
SHELL_COMMANDS = ("echo", "expr", "set /a", "sleep")
#: The reserved top-level domain of every canary host (open redirect, CSRF's foreign Origin).
CANARY_TLD = "invalid"
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
_NUM = r"\d{1,6}"
_SHELL_CMD = (
    rf"(?:echo\s+(?:\$\(\({_NUM}\*{_NUM}\)\)|{_NUM}\*{_NUM})|expr\s+{_NUM}\s+\\?\*\s+{_NUM}"
    rf"|set\s+(?:/a\s+)?{_NUM}\*{_NUM}"
    r"|sleep\s+\d+(?:\.\d+)?)"
)
#: An allowed command after a separator, inside backticks or ``$(...)``, or a bare arithmetic expansion.
_SHELL_ALLOWED = re.compile(
    rf"(?:;|\|(?!\|)|&&|&|\r?\n)\s*{_SHELL_CMD}\s*#?|`\s*{_SHELL_CMD}\s*`|\$\(\s*{_SHELL_CMD}\s*\)"
    rf"|\$\(\({_NUM}\*{_NUM}\)\)",
    re.I,
)
_SHELL_SLEEP = re.compile(r"sleep\s+(\d+(?:\.\d+)?)", re.I)
_SHELL_META = re.compile(r"`|\$\(|&&|&\s*[a-z]|\|\s*(?:sh|bash|cat|curl|wget|nc|rm|id|ls|ping)\b", re.I)
_CANARY_URL = re.compile(
    rf"(?:\b[a-z][a-z0-9+.-]*:)?//[a-z0-9-]+\.{CANARY_TLD}(?![\w.@:-])(?:[/?#][^\s@\\\"'<>]*)?",
    re.I,
)
_FILE_REQUEST = re.compile(r"(?:file://)?(?:[a-z]:)?/?(?:\.\.?/+)*[\w./-]+")
_SYSTEM_DIRS = ("/proc/", "/etc/", "/windows/", "/sys/", "/dev/", "/var/", "/root/", "/home/", "/boot/")
_SCHEME_RELATIVE = re.compile(r"(?:^|[\s\"'=(])[/\\][/\\][\w-]+(?:\.[\w-]+)+", re.I)
_PATHLIKE = re.compile(r"(?:[a-z]:)?/[\w.-]+(?:/[\w.-]*)*", re.I)
_CRLF = re.compile(r"\r\n|\r|\n")
_HEADER_LINE = re.compile(r"^\s*[\w-]+\s*:")
_CANARY_HEADER = re.compile(r"^X-Sentinel-[a-z]+: ?[a-z]+$")


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


def _file_request(text: str) -> tuple[bool, str | None]:
    """Is ``text`` a file request (a path, however spelled), and if so, why it is refused, if it is."""
    decoded = unquote(unquote(text)).replace("\\", "/").lower()
    candidate = decoded.strip()
    if "../" not in decoded and not _PATHLIKE.fullmatch(candidate.removeprefix("file://")):
        return False, None
    if not _FILE_REQUEST.fullmatch(candidate):
        if "../" in decoded:
            return True, f"a path traversal mixed with other syntax: {candidate[:80]!r}"
        return False, None
    path = candidate.removeprefix("file://")
    tail = "/" + path.rsplit("../", 1)[-1].lstrip("/")
    tail = re.sub(r"^/[a-z]:/", "/", tail).replace("/./", "/")
    if tail in TRAVERSAL_FILES or "sentinel-nonexistent-" in tail:
        return True, None
    if "../" not in decoded and not tail.startswith(_SYSTEM_DIRS):
        return False, None  # a plain path-shaped value ("/search", "a/b"), not a file request
    return True, f"a file path other than the harmless allowed files: {candidate[:80]!r}"


def _crlf_reason(text: str) -> str | None:
    """A header line after a CR/LF that is not the canary header."""
    lines = _CRLF.split(unquote(text))[1:]
    for line in lines:
        if _HEADER_LINE.match(line) and not _CANARY_HEADER.match(line.strip()):
            return f"an injected header other than the X-Sentinel canary: {line.strip()[:60]!r}"
    return None


def _shell(text: str) -> tuple[str, str | None]:
    """``text`` without its harmless shell fragments, and why a remaining one is refused, if any."""
    delays = [float(d) for m in _SHELL_ALLOWED.finditer(text) for d in _SHELL_SLEEP.findall(m[0])]
    if any(d > MAX_DELAY_S for d in delays):
        return text, f"a delay above {MAX_DELAY_S:g} s"
    stripped = _SHELL_ALLOWED.sub(" ", text)
    meta = _SHELL_META.search(_XML_REF.sub(" ", stripped))
    if meta is not None:
        return stripped, f"shell syntax other than {', '.join(SHELL_COMMANDS)}: {meta[0]!r}"
    return stripped, None


def unsafe_reason(added: str) -> str | None:
    """Why ``added`` (what a check adds to a benign value) must not be sent; ``None`` if it may."""
    text, bad_uri = _external_ids(added)
    if bad_uri is not None:
        return f"external entity {bad_uri!r} is not one of the harmless allowed files"
    is_file, why = _file_request(text)
    if is_file:
        return why
    why = _crlf_reason(text)
    if why is not None:
        return why
    if match := _SCHEME_RELATIVE.search(_CANARY_URL.sub(" ", text)):
        return f"a URL: {match[0].strip()!r}"
    text = _CANARY_URL.sub(" ", text)
    text, shell_reason = _shell(text)
    if shell_reason is not None:
        return shell_reason
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
    "CANARY_TLD",
    "MAX_DELAY_S",
    "MAX_HEAVY_ROWS",
    "NONEXISTENT_PREFIX",
    "SHELL_COMMANDS",
    "TRAVERSAL_FILES",
    "UnsafePayload",
    "unsafe_reason",
]
