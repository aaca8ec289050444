"""Small AST helpers shared by the plugins: qualified names, enclosing functions, identifiers.

bandit links each node to its parent as ``_bandit_parent`` while it walks a file (it has done so since
its first releases; every node a test sees has one). :func:`enclosing_function` relies on it; without
it a node simply counts as module level, so a plugin degrades to reporting less, never more.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_CONVERSIONS = frozenset({"str", "bytes", "bytearray", "memoryview"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def qualname(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """``hashlib.md5`` for ``hashlib.md5`` or ``from hashlib import md5 as m; m``; None if unknown."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = qualname(node.value, aliases)
        return None if base is None else f"{base}.{node.attr}"
    return None


def call_qualname(call: ast.Call, aliases: dict[str, str]) -> str:
    return qualname(call.func, aliases) or ""


def callee_name(call: ast.Call) -> str:
    """The last part of the called name: ``login`` for ``sentinel.login(...)``; ``""`` if none."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def tokens(identifier: str) -> list[str]:
    """``loginUser_form`` -> ``["login", "user", "form"]``."""
    spaced = _CAMEL.sub("_", identifier)
    return [t for t in spaced.lower().split("_") if t]


def parents(node: ast.AST) -> Iterator[ast.AST]:
    current = getattr(node, "_bandit_parent", None)
    while current is not None:
        yield current
        current = getattr(current, "_bandit_parent", None)


def enclosing_function(node: ast.AST) -> FunctionNode | None:
    for parent in parents(node):
        if isinstance(parent, FunctionNode):
            return parent
        if isinstance(parent, ast.ClassDef | ast.Lambda):
            return None
    return None


def walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """Every node of a function's body, not descending into nested functions, classes or lambdas."""
    todo: list[ast.AST] = list(getattr(scope, "body", []))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, _SCOPES):
            todo.extend(ast.iter_child_nodes(node))


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The argument given by keyword ``name`` or at ``position`` (``*args`` stops the count)."""
    found = keyword(call, name)
    if found is not None:
        return found
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            return None
        if index == position:
            return arg
    return None


def literal(node: ast.AST | None) -> object:
    """The value of a constant (``-1`` included), else the ``NOT_LITERAL`` marker."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = literal(node.operand)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner
    return NOT_LITERAL


class _NotLiteral:
    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL = _NotLiteral()


def literal_key(node: ast.AST) -> str | None:
    """``"password"`` for ``x["password"]`` and ``x.get("password")``."""
    if isinstance(node, ast.Subscript):
        value = literal(node.slice)
        return value if isinstance(value, str) else None
    if isinstance(node, ast.Call) and callee_name(node) in ("get", "getlist", "getone") and node.args:
        value = literal(node.args[0])
        return value if isinstance(value, str) else None
    return None


def data_identifiers(node: ast.AST) -> Iterator[str]:
    """The names a value is built from: variables, attributes and literal keys.

    It follows concatenation, f-strings, subscripts, method calls on the value (``pw.encode()``) and
    conversions (``str(pw)``, ``bytes(pw, "utf-8")``), but not the arguments of other calls: in
    ``sha256(bcrypt.hashpw(pw, salt))`` the hashed value is bcrypt's output, not the password."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr
        yield from data_identifiers(node.value)
    elif isinstance(node, ast.Subscript):
        key = literal_key(node)
        if key is not None:
            yield key
        yield from data_identifiers(node.value)
    elif isinstance(node, ast.BinOp):
        yield from data_identifiers(node.left)
        yield from data_identifiers(node.right)
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from data_identifiers(part)
    elif isinstance(node, ast.FormattedValue):
        yield from data_identifiers(node.value)
    elif isinstance(node, ast.Call):
        yield from _call_identifiers(node)


def _call_identifiers(node: ast.Call) -> Iterator[str]:
    key = literal_key(node)
    if key is not None:
        yield key
    if isinstance(node.func, ast.Attribute):
        yield from data_identifiers(node.func.value)
        if node.func.attr == "join":  # b"".join([salt, password])
            for arg in node.args:
                for element in arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg]:
                    yield from data_identifiers(element)
    elif isinstance(node.func, ast.Name) and node.func.id in _CONVERSIONS and node.args:
        yield from data_identifiers(node.args[0])


__all__ = [
    "NOT_LITERAL",
    "FunctionNode",
    "argument",
    "call_qualname",
    "callee_name",
    "data_identifiers",
    "enclosing_function",
    "keyword",
    "literal",
    "literal_key",
    "parents",
    "qualname",
    "tokens",
    "walk_scope",
]
