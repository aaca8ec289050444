"""SNT903 session-id-from-query: a session ID read from the query string (CWE-598).

**What it detects.**

- A query parameter with a session-like name read from a request:
  ``request.query_params["sid"]``, ``request.query_params.get("session_id")``, and the same through
  ``args`` (Flask), ``GET`` (Django) or ``query`` (aiohttp). Session-like names, compared without
  ``-``/``_`` and case: ``sid``, ``session``, ``sess``, ``sessionid``, ``sessid``, ``sessionkey``,
  ``sessiontoken``, ``jsessionid``, ``phpsessid``, ``aspnetsessionid``. Confidence high.
- A query parameter of *any* name used as a fallback for, or instead of, a cookie in one expression:
  ``request.query_params.get("ref") or request.cookies.get("SESSIONID")``. Whatever the parameter is
  called, the URL then stands in for the cookie. Confidence medium.

**Why it matters.** IDs in URLs leak through logs, ``Referer`` headers, browser history and shared
links (the notes' marketing e-mail that carried a marketer's session ID), and they make session
fixation a matter of sending a link. OWASP: exchange session IDs only through cookies.

**Example evidence.** ``sid = request.query_params.get("ref") or request.cookies.get(COOKIE)``.

**How to fix.** Read the session ID from the cookie only (``sentinel.SessionMiddleware`` refuses
requests that carry one in the URL).

Severity high.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from sentinel_bandit._ast import literal_key
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit._sources import REQUEST_GLOBALS, REQUEST_NAMES
from sentinel_bandit.rules import SESSION_FROM_QUERY

QUERY_ATTRIBUTES = frozenset({"query_params", "args", "GET", "query"})
_SESSION_NAME = re.compile(r"^(?:sid|(?:j|php|aspnet|asp)?sess(?:ion)?(?:id|key|token)?)$")


def session_like(name: str) -> bool:
    return bool(_SESSION_NAME.match(re.sub(r"[^a-z0-9]", "", name.lower())))


def _requestish(node: ast.AST, aliases: dict[str, str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in REQUEST_NAMES or aliases.get(node.id, "") in REQUEST_GLOBALS
    return isinstance(node, ast.Attribute) and node.attr == "request"


def _container(node: ast.AST, attributes: frozenset[str], aliases: dict[str, str]) -> bool:
    """``request.<one of attributes>``."""
    return isinstance(node, ast.Attribute) and node.attr in attributes and _requestish(node.value, aliases)


def _read_from(node: ast.AST, attributes: frozenset[str], aliases: dict[str, str]) -> bool:
    """``request.<attr>[...]`` or ``request.<attr>.get(...)``."""
    if isinstance(node, ast.Subscript):
        return _container(node.value, attributes, aliases)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("get", "getlist", "getone", "getall") and _container(
            node.func.value, attributes, aliases
        )
    return False


def _fallback(node: ast.BoolOp, aliases: dict[str, str]) -> bool:
    parts = [n for value in node.values for n in ast.walk(value)]
    return any(_read_from(n, QUERY_ATTRIBUTES, aliases) for n in parts) and any(
        _read_from(n, frozenset({"cookies", "COOKIES"}), aliases) for n in parts
    )


@plugin(SESSION_FROM_QUERY, "Subscript", "Call", "BoolOp")
def sentinel_session_id_from_query(context: Context) -> Any:
    node = context.node
    aliases = context.import_aliases
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.Or) and _fallback(node, aliases):
            return issue(
                SESSION_FROM_QUERY,
                node,
                "a query parameter stands in for the session cookie: the session ID can arrive in the URL",
                confidence="MEDIUM",
            )
        return None
    if not _read_from(node, QUERY_ATTRIBUTES, aliases):
        return None
    key = literal_key(node)
    if key is None or not session_like(key):
        return None
    return issue(
        SESSION_FROM_QUERY,
        node,
        f"session ID read from the query parameter {key!r}: accept session IDs only from the cookie",
        confidence="HIGH",
    )
