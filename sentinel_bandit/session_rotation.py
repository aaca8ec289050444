"""SNT902 session-not-rotated-at-login: a login handler that never rotates the session ID (CWE-384).

**What it detects (a heuristic, tuned for few false positives).** A function that

1. is a login handler: its name contains ``login``/``log_in``/``signin``/``sign_in``/``logon`` as
   words (``login``, ``do_login``, ``handle_sign_in``, ``loginView``), and not the words ``form``,
   ``page``, ``show``, ``render``, ``get``, ``required``, ``url``, ``redirect``, ``template``,
   ``logout``; or it is routed to a path containing ``login``/``signin``/``logon``, by a decorator
   (``@app.post("/login")``) or by registration anywhere in the module (aiohttp
   ``router.add_route("POST", "/login", handler)``, ``add_post``, ``web.post``, Starlette
   ``Route("/login", endpoint)``, Django ``path("login/", view)``);
2. writes to a session: ``<x>.session[...] = ...`` (Starlette, Django), ``.update(...)``/
   ``.setdefault(...)``, a local alias (``s = request.session``), aiohttp-session's
   ``session = await get_session(request)``, or Flask's/Quart's ``session``;
3. and calls nothing that rotates the ID. Rotation is recognised by *what is called*, never by a
   name alone: ``sentinel.login``/``rotate_session``, Django's ``django.contrib.auth.login``/
   ``alogin`` and ``session.cycle_key()``/``flush()``, aiohttp-session's ``new_session``,
   starsessions' ``regenerate_session_id``, Flask's ``session.clear()`` (a new signed cookie), or a
   function of the same module that does one of these. A credential check that happens to be called
   ``login(user, password)`` (defined locally or imported from elsewhere) does not count.

It reports the first session write of such a function.

**Why it matters.** If the ID is not replaced when the user authenticates, an attacker who planted or
learned the pre-login ID (session fixation) is logged in with the victim.

**Example evidence.** ``session = await get_session(request); session["user"] = user.id`` in a
handler registered with ``router.add_post("/login", login)``.

**How to fix.** Call the login helper, which rotates the ID: ``await sentinel.login(request, user_id)``
(or ``rotate_session``; Django ``auth.login``; aiohttp-session ``new_session``). Rotation done
elsewhere (a middleware that rotates on privilege change) is invisible here: mark the line
``# nosec SNT902`` with the reason.

Severity high, confidence medium.
"""

from __future__ import annotations

import ast
import itertools
import re
from typing import Any

from sentinel_bandit._ast import (
    FunctionNode,
    call_qualname,
    callee_name,
    enclosing_function,
    literal,
    parents,
    tokens,
    walk_scope,
)
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
#: Calls that rotate the session ID, by qualified name.
ROTATING_CALLS = frozenset(
    {
        "sentinel.login",
        "sentinel.rotate_session",
        "sentinel.sessions.login",
        "sentinel.sessions.rotate_session",
        "sentinel.sessions.api.login",
        "sentinel.sessions.api.rotate_session",
        "django.contrib.auth.login",
        "django.contrib.auth.alogin",
        "aiohttp_session.new_session",
        "starsessions.regenerate_session_id",
    }
)
#: Methods of a session object that give it a new ID.
ROTATING_METHODS = frozenset({"cycle_key", "acycle_key", "flush", "aflush", "regenerate", "rotate"})
#: Calls that return an aiohttp-session session.
SESSION_GETTERS = frozenset({"aiohttp_session.get_session", "aiohttp_session.new_session"})
_SESSION_MUTATORS = {"update", "setdefault", "__setitem__"}
_SESSION_GLOBALS = {"flask.session", "quart.session"}
_REGISTRATIONS = frozenset(
    {"add_route", "add_get", "add_post", "add_api_route", "route", "post", "get", "Route", "path", "re_path"}
)


def _login_like_name(name: str) -> bool:
    words = tokens(name)
    if _NOT_A_HANDLER & set(words):
        return False
    return bool(_LOGIN_WORDS & set(words)) or any(pair in _LOGIN_PAIRS for pair in itertools.pairwise(words))


def _login_path(node: ast.AST) -> bool:
    value = literal(node)
    return isinstance(value, str) and bool(_ROUTE_WORDS.search(value))


def _login_route(func: FunctionNode) -> bool:
    return any(
        isinstance(decorator, ast.Call) and any(_login_path(arg) for arg in decorator.args)
        for decorator in func.decorator_list
    )


def _registered_login_handlers(module: ast.AST) -> set[str]:
    """Names of functions routed to a login path by a call: ``router.add_post("/login", login)``."""
    names: set[str] = set()
    for node in ast.walk(module):
        if not (isinstance(node, ast.Call) and callee_name(node) in _REGISTRATIONS):
            continue
        values = [*node.args, *(k.value for k in node.keywords)]
        if any(_login_path(v) for v in values):
            names |= {
                v.attr if isinstance(v, ast.Attribute) else v.id
                for v in values
                if isinstance(v, ast.Name | ast.Attribute)
            }
    return names


class _Module:
    """What SNT902 needs to know about a module, computed once."""

    def __init__(self, module: ast.AST | None, aliases: dict[str, str]) -> None:
        self.module = module
        self.aliases = aliases
        self.registered = _registered_login_handlers(module) if module is not None else set()
        self._rotating: set[str] | None = None

    @property
    def rotating_functions(self) -> set[str]:
        """Functions of the module that rotate, directly or through helpers (computed on first use:
        only a module with a login handler that writes a session needs it)."""
        if self._rotating is None:
            functions = [
                n
                for n in (ast.walk(self.module) if self.module is not None else [])
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
            by_name = {f.name: f for f in functions}
            self._rotating = set()
            for _ in range(3):  # helpers that call helpers that rotate
                self._rotating |= {f.name for f in functions if self._rotates_directly(f, by_name)}
        return self._rotating

    def _rotates_directly(self, func: FunctionNode, by_name: dict[str, FunctionNode]) -> bool:
        local: set[str] | None = None
        for node in walk_scope(func):
            if not isinstance(node, ast.Call):
                continue
            name = call_qualname(node, self.aliases)
            if name in ROTATING_CALLS:
                return True
            if (
                isinstance(node.func, ast.Name)
                and node.func.id in self.rotating_functions
                and node.func.id in by_name
            ):
                return True
            if isinstance(node.func, ast.Attribute):
                method, receiver = node.func.attr, node.func.value
                if method in ROTATING_METHODS:
                    local = _local_sessions(func, self.aliases) if local is None else local
                if method in ROTATING_METHODS and _is_session(receiver, local or set(), self.aliases):
                    return True
                if (
                    method == "clear"
                    and isinstance(receiver, ast.Name)
                    and self.aliases.get(receiver.id, "") in _SESSION_GLOBALS
                ):
                    return True
        return False

    def is_login_handler(self, func: FunctionNode) -> bool:
        return _login_like_name(func.name) or _login_route(func) or func.name in self.registered

    def rotates(self, func: FunctionNode) -> bool:
        return func.name in self.rotating_functions


def _module(node: ast.AST, aliases: dict[str, str]) -> _Module:
    root = None
    for parent in parents(node):
        root = parent
    cached = getattr(root, "_sentinel_sessions", None)
    if isinstance(cached, _Module):
        return cached
    computed = _Module(root, aliases)
    if root is not None:
        root._sentinel_sessions = computed  # type: ignore[attr-defined]
    return computed


def _awaited(node: ast.AST) -> ast.AST:
    return node.value if isinstance(node, ast.Await) else node


def _session_aliases(func: FunctionNode, aliases: dict[str, str]) -> set[str]:
    """Local names bound to a session: ``s = request.session``, ``s = await get_session(request)``."""
    names: set[str] = set()
    for node in walk_scope(func):
        if not isinstance(node, ast.Assign):
            continue
        value = _awaited(node.value)
        getter = isinstance(value, ast.Call) and call_qualname(value, aliases) in SESSION_GETTERS
        if _is_session_attr(value) or getter:
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


def _could_write(node: ast.AST) -> bool:
    """A cheap syntactic filter before any per-function work: a subscript store or a mutator call."""
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Subscript) for t in node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return isinstance(node.target, ast.Subscript)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SESSION_MUTATORS
    )


def _local_sessions(func: FunctionNode, aliases: dict[str, str]) -> set[str]:
    cached = getattr(func, "_sentinel_session_names", None)
    if isinstance(cached, set):
        return cached
    names = _session_aliases(func, aliases)
    func._sentinel_session_names = names  # type: ignore[union-attr]
    return names


@plugin(SESSION_ROTATION, "Assign", "AugAssign", "AnnAssign", "Call")
def sentinel_session_not_rotated_at_login(context: Context) -> Any:
    node = context.node
    if not _could_write(node):
        return None
    func = enclosing_function(node)
    if func is None:
        return None
    aliases = context.import_aliases
    module = _module(node, aliases)
    if not module.is_login_handler(func):
        return None
    local = _local_sessions(func, aliases)
    if not session_write(node, local, aliases) or module.rotates(func):
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
