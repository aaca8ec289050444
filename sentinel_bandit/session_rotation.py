"""SNT902 session-not-rotated-at-login: a login handler that never rotates the session ID (CWE-384).

**What it detects (a heuristic, tuned for few false positives).** A function that

1. looks like a login handler: its name contains ``login``/``log_in``/``signin``/``sign_in``/
   ``logon`` as words (``login``, ``do_login``, ``handle_sign_in``, ``loginView``), and not the words
   ``form``, ``page``, ``show``, ``render``, ``get``, ``required``, ``url``, ``redirect``,
   ``template``, ``logout``; or it is decorated with a route whose path contains ``login``/``signin``;
2. writes to the session: ``request.session[...] = ...``, ``request.session.update(...)`` or
   ``setdefault(...)``, through any ``<x>.session``, a local alias of it (``s = request.session``), or
   Flask's/Quart's ``session``;
3. and calls nothing that rotates the ID: no call whose name is ``login``, ``log_in``, ``login_user``,
   ``sign_in``, ``signin``, ``cycle_key``, or starts with ``rotate``/``regenerate``/``renew``/
   ``cycle``/``new``/``reset``/``flush``/``invalidate`` followed by ``session``/``sid``/``id``/``key``
   (``sentinel.login``, ``rotate_session``, Django's ``auth.login``, starsessions'
   ``regenerate_session_id``, ``session.cycle_key()``).

It reports the first session write of such a function. ``session.clear()`` does not count as
rotation: with server-side stores it keeps the ID.

**Why it matters.** If the ID is not replaced when the user authenticates, an attacker who planted or
learned the pre-login ID (session fixation) is logged in with the victim.

**Example evidence.** ``request.session["user"] = user.id`` in ``async def login(request)``.

**How to fix.** Call the login helper, which rotates the ID: ``await sentinel.login(request, user_id)``
(or ``rotate_session``). Rotation done elsewhere (a middleware that rotates on privilege change) is
invisible here: mark the line ``# nosec SNT902`` with the reason.

Severity high, confidence medium.
"""

from __future__ import annotations

import ast
import itertools
import re
from typing import Any

from sentinel_bandit._ast import FunctionNode, callee_name, enclosing_function, literal, tokens, walk_scope
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit.rules import SESSION_ROTATION

_LOGIN_WORDS = {"login", "signin", "logon"}
_LOGIN_PAIRS = {("log", "in"), ("sign", "in"), ("log", "on")}
_NOT_A_HANDLER = {
    "form",
    "page",
    "show",
    "render",
    "get",
    "required",
    "url",
    "redirect",
    "template",
    "logout",
}
_ROUTE_WORDS = re.compile(r"log-?in|sign-?in|log-?on", re.IGNORECASE)
_ROTATING_NAMES = {"login", "log_in", "login_user", "sign_in", "signin", "cycle_key", "auth_login"}
_ROTATING = re.compile(
    r"^_?(rotate|regenerate|renew|cycle|new|reset|flush|invalidate)_?(the_)?(session|sid|id|key)",
    re.IGNORECASE,
)
_SESSION_MUTATORS = {"update", "setdefault", "__setitem__"}
_SESSION_GLOBALS = {"flask.session", "quart.session"}


def _login_like_name(name: str) -> bool:
    words = tokens(name)
    if _NOT_A_HANDLER & set(words):
        return False
    return bool(_LOGIN_WORDS & set(words)) or any(pair in _LOGIN_PAIRS for pair in itertools.pairwise(words))


def _login_route(func: FunctionNode) -> bool:
    for decorator in func.decorator_list:
        if isinstance(decorator, ast.Call):
            for arg in decorator.args:
                value = literal(arg)
                if isinstance(value, str) and _ROUTE_WORDS.search(value):
                    return True
    return False


def is_login_handler(func: FunctionNode) -> bool:
    return _login_like_name(func.name) or _login_route(func)


def rotates(func: FunctionNode) -> bool:
    for node in walk_scope(func):
        if isinstance(node, ast.Call):
            name = callee_name(node)
            if name.lower() in _ROTATING_NAMES or _ROTATING.match(name):
                return True
    return False


def _session_aliases(func: FunctionNode) -> set[str]:
    """Local names bound to ``<x>.session`` (``s = request.session``)."""
    names: set[str] = set()
    for node in walk_scope(func):
        if isinstance(node, ast.Assign) and _is_session_attr(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _is_session_attr(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "session"


def _is_session(node: ast.AST, local: set[str], aliases: dict[str, str]) -> bool:
    if _is_session_attr(node):
        return True
    return isinstance(node, ast.Name) and (node.id in local or aliases.get(node.id, "") in _SESSION_GLOBALS)


def session_write(node: ast.AST, local: set[str], aliases: dict[str, str]) -> bool:
    """``node`` stores into a session."""
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Subscript) and _is_session(t.value, local, aliases) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in _SESSION_MUTATORS and _is_session(node.func.value, local, aliases)
    return False


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


@plugin(SESSION_ROTATION, "Assign", "AugAssign", "AnnAssign", "Call")
def sentinel_session_not_rotated_at_login(context: Context) -> Any:
    node = context.node
    func = enclosing_function(node)
    if func is None or not is_login_handler(func):
        return None
    aliases = context.import_aliases
    local = _session_aliases(func)
    if not session_write(node, local, aliases) or rotates(func):
        return None
    writes = [n for n in walk_scope(func) if session_write(n, local, aliases)]
    if min(writes, key=_position) is not node:
        return None  # report each handler once, at its first session write
    return issue(
        SESSION_ROTATION,
        node,
        f"{func.name}() writes to the session at login without rotating the session ID (session "
        "fixation); call the login/rotate helper (sentinel.login) first.",
        confidence="MEDIUM",
    )
