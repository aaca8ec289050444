"""A simple, function-local taint analysis: which values come from the HTTP request?

**Sources** are attributes of a request object that carry client data: ``query_params``,
``path_params``, ``form``, ``json``, ``body``, ``headers``, ``cookies``, ``url`` (Starlette), and
``args``, ``values``, ``data``, ``files``, ``GET``, ``POST``, ``get_json``, ``match_info``, ``query``
(Flask, Django, aiohttp). A request object is a parameter named ``request``/``req`` or annotated with
a ``*Request`` type, ``self.request``, or Flask's/Quart's global ``request``.

**Propagation** is flow-insensitive within one function: a variable assigned (``=``, ``+=``,
unpacking, ``for``, ``with ... as``, ``:=``, comprehensions) from a tainted expression is tainted
everywhere in that function. Conversions to numbers (``int``, ``float``, ``bool``, ``len``) end the
taint. Nothing crosses function boundaries: a value passed to a helper and used there is not seen.
That keeps false positives low at the price of missed flows; the dynamic scanner covers the rest.
"""

from __future__ import annotations

import ast

from sentinel_bandit._ast import FunctionNode, enclosing_function, walk_scope

SOURCE_ATTRIBUTES = frozenset(
    {
        "query_params",
        "path_params",
        "form",
        "json",
        "body",
        "stream",
        "headers",
        "cookies",
        "url",
        "args",
        "values",
        "data",
        "files",
        "GET",
        "POST",
        "get_json",
        "get_data",
        "match_info",
        "query",
        "text",
        "content",
    }
)
REQUEST_NAMES = frozenset({"request", "req"})
REQUEST_GLOBALS = frozenset({"flask.request", "quart.request", "bottle.request"})
SANITIZERS = frozenset({"int", "float", "bool", "len", "abs", "round", "hash", "id"})
_MAX_PASSES = 8


def _request_parameters(func: FunctionNode | None) -> frozenset[str]:
    if func is None:
        return frozenset()
    args = func.args
    names = set()
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        if arg.arg in REQUEST_NAMES or annotation.split(".")[-1].endswith(("Request", "WebSocket")):
            names.add(arg.arg)
    return frozenset(names)


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for element in target.elts for n in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


class Taint:
    """The request-derived values of one function (or of module-level code when ``func`` is None)."""

    def __init__(self, func: FunctionNode | None, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        self.request_names = _request_parameters(func)
        self.variables: set[str] = set()
        if func is not None:
            self._propagate(func)

    def is_request(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.request_names or self.aliases.get(node.id, "") in REQUEST_GLOBALS
        return isinstance(node, ast.Attribute) and node.attr == "request"

    def is_source(self, node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute) and node.attr in SOURCE_ATTRIBUTES and self.is_request(node.value)
        )

    def direct(self, expr: ast.AST) -> bool:
        """``expr`` reads the request itself (not through a variable)."""
        return any(self.is_source(n) for n in self._nodes(expr))

    def tainted(self, expr: ast.AST) -> bool:
        return any(
            self.is_source(n) or (isinstance(n, ast.Name) and n.id in self.variables)
            for n in self._nodes(expr)
        )

    def _nodes(self, expr: ast.AST) -> list[ast.AST]:
        found: list[ast.AST] = []
        todo = [expr]
        while todo:
            node = todo.pop()
            found.append(node)
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SANITIZERS:
                continue
            todo.extend(ast.iter_child_nodes(node))
        return found

    def _flows(self, func: FunctionNode) -> list[tuple[list[str], ast.AST]]:
        flows: list[tuple[list[str], ast.AST]] = []
        for node in walk_scope(func):
            if isinstance(node, ast.Assign):
                flows.append(([n for t in node.targets for n in _target_names(t)], node.value))
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value is not None:
                flows.append((_target_names(node.target), node.value))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                flows.append((_target_names(node.target), node.iter))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                flows.append((_target_names(node.optional_vars), node.context_expr))
        return flows

    def _propagate(self, func: FunctionNode) -> None:
        flows = self._flows(func)
        for _ in range(_MAX_PASSES):
            before = len(self.variables)
            for names, value in flows:
                if self.tainted(value):
                    self.variables.update(names)
            if len(self.variables) == before:
                return


def taint_at(node: ast.AST, aliases: dict[str, str]) -> Taint:
    """The taint of the function around ``node``, computed once per function and cached on it."""
    func = enclosing_function(node)
    if func is None:
        return Taint(None, aliases)
    cached = getattr(func, "_sentinel_taint", None)
    if isinstance(cached, Taint):
        return cached
    computed = Taint(func, aliases)
    func._sentinel_taint = computed  # type: ignore[union-attr]
    return computed


__all__ = ["REQUEST_GLOBALS", "REQUEST_NAMES", "SOURCE_ATTRIBUTES", "Taint", "taint_at"]
