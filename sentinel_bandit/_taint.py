"""A small taint engine: which values of a module come from the HTTP request, and where do they go?

**Sources** are listed per framework in :mod:`sentinel_bandit._sources`.

**Labels.** A value's taint is a set of ``(origin, kind)`` labels. The origin is ``request`` (client
data) or ``param:<name>`` (a parameter of the function being analysed, whose callers decide what it
holds); the kind is the sink family the value is still dangerous for (:class:`Kind`). A sanitizer
removes the kinds it neutralises: ``int()`` all of them, ``shlex.quote`` only ``command``,
``os.path.basename`` only ``path``. The ``formatted`` kind marks a value built by string formatting
(``%``, ``+``, f-strings, ``.format``, ``join``), which the SQL rule uses for queries built from a
function's parameters.

**Flow.** Each function is interpreted statement by statement: assignment replaces a variable's
taint (``x = int(x)`` cleans ``x``), branches join, loops run until nothing changes (twice), and a
branch that returns or raises does not flow on. Allow-list guards clean a name:
``if x not in ALLOWED: return`` (after it) and ``if x in ALLOWED:`` (inside it). Calls propagate the
taint of their receiver and arguments unless listed as sanitizers or as returning no text.

**Summaries.** Functions of the same module are summarised (which parameters reach the return
value) and applied at their call sites, twice over, so a helper that formats its argument keeps the
taint. A sink reached by a parameter is traced back through the module's call sites: a caller that
passes request data makes the sink's finding certain (:meth:`ModuleTaint.flow`).

Not modelled: attributes and containers are tracked by name only (``d["k"] = x`` taints all of
``d``); nested functions do not see their enclosing function's variables; calls to other modules
are not followed. The dynamic scanner covers what this misses.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from sentinel_bandit._ast import FunctionNode, literal, parents, qualname
from sentinel_bandit._sources import (
    ENVIRON_PARAMETERS,
    HANDLER_ATTRIBUTES,
    HANDLER_BASES,
    HTTP_CLIENTS,
    INJECTED_DEFAULTS,
    REQUEST_ATTRIBUTES,
    REQUEST_GLOBALS,
    REQUEST_NAMES,
    REQUEST_TYPES,
    ROUTE_DECORATORS,
    SAFE_ANNOTATIONS,
    WEB_FRAMEWORKS,
)


class Kind(StrEnum):
    """Sink families a value can be dangerous for."""

    SQL = "sql"
    XPATH = "xpath"
    COMMAND = "command"
    PATH = "path"
    URL = "url"
    REDIRECT = "redirect"
    TEMPLATE = "template"
    CODE = "code"
    FORMAT = "format"
    XML = "xml"
    HTML = "html"
    FORMATTED = "formatted"


REQUEST = "request"
PARAM = "param:"
Label = tuple[str, Kind]
Taint = frozenset[Label]
CLEAN: Taint = frozenset()
ALL_KINDS = frozenset(Kind)


def _full(origin: str) -> Taint:
    return frozenset((origin, kind) for kind in Kind if kind is not Kind.FORMATTED)


_REQUEST_TAINT = _full(REQUEST)

#: Calls that neutralise some kinds: qualified name (or bare method name) -> kinds removed.
SANITIZERS: dict[str, frozenset[Kind]] = {
    **dict.fromkeys(
        ("int", "float", "bool", "len", "abs", "round", "hash", "id", "ord", "uuid.UUID", "decimal.Decimal"),
        ALL_KINDS,
    ),
    **dict.fromkeys(("shlex.quote", "pipes.quote", "shlex.join"), frozenset({Kind.COMMAND})),
    **dict.fromkeys(
        ("os.path.basename", "werkzeug.utils.secure_filename", "werkzeug.secure_filename"),
        frozenset({Kind.PATH}),
    ),
    **dict.fromkeys(
        ("werkzeug.utils.safe_join", "werkzeug.security.safe_join", "flask.safe_join"),
        frozenset({Kind.PATH}),
    ),
    **dict.fromkeys(("flask.url_for", "quart.url_for", "django.urls.reverse"), frozenset({Kind.REDIRECT})),
    **dict.fromkeys(
        ("html.escape", "markupsafe.escape", "flask.escape", "cgi.escape", "django.utils.html.escape"),
        frozenset({Kind.XPATH, Kind.HTML}),
    ),
    # markup marked safe is SNT918's sink; reported there, not again where it is used
    **dict.fromkeys(
        ("markupsafe.Markup", "flask.Markup", "jinja2.Markup", "django.utils.safestring.mark_safe"),
        frozenset({Kind.HTML}),
    ),
}
#: Methods whose result carries no text of the receiver (numbers, booleans).
CLEAN_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalnum",
        "isalpha",
        "isnumeric",
        "isdecimal",
        "isidentifier",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "exists",
        "is_file",
        "is_dir",
        "hexdigest",
        "digest",
        "verify",
        "fetchone",
        "fetchall",
        "fetchmany",
        "rowcount",
        "keys",
    }
)
_LOOKUPS = frozenset({"get", "pop", "setdefault"})
#: Methods of str/bytes (and of the containers requests hand out): results still carry the text.
_TEXT_METHODS = frozenset(dir(str)) | frozenset(dir(bytes)) | frozenset(dir(dict)) | frozenset(dir(list))
_TEXT_METHODS |= frozenset({"getlist", "getone", "getall", "read", "readline", "readlines", "decode"})
_TERMINATING_CALLS = frozenset({"abort", "exit", "sys.exit", "flask.abort", "quart.abort", "os._exit"})
_FIXED_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/{%]+/")
_FIXED_PATH = re.compile(r"^/[^/\\{%]")
_MAX_CALLER_DEPTH = 4

State = dict[str, Taint]


def _join(states: Iterable[State | None]) -> State | None:
    reached = [s for s in states if s is not None]
    if not reached:
        return None
    joined: State = dict(reached[0])
    for state in reached[1:]:
        for name, taint in state.items():
            joined[name] = joined.get(name, CLEAN) | taint
    return joined


def _drop(taint: Taint, kinds: frozenset[Kind]) -> Taint:
    return frozenset(label for label in taint if label[1] not in kinds)


def _formatted(taint: Taint, operands: Taint) -> Taint:
    """``taint`` plus the ``formatted`` mark for the origins of operands put in a SQL value position."""
    return taint | {(origin, Kind.FORMATTED) for origin, _ in operands}


def _target_key(node: ast.AST) -> str | None:
    """``x`` for ``x``, ``self.x`` for ``self.x``: the names attributes are tracked under."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _target_key(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _leading_text(node: ast.AST) -> str | None:
    """The literal text a string-building expression starts with, if any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _leading_text(node.values[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _leading_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _leading_text(node.func.value)
    return None


def _fixed_destination(node: ast.AST) -> frozenset[Kind]:
    """Kinds a fixed prefix makes safe: ``"https://api.example.com/" + x`` fixes the host (SSRF),
    ``"/profile/" + x`` keeps a redirect on this site."""
    text = _leading_text(node)
    if text is None:
        return frozenset()
    safe = set()
    if _FIXED_URL.match(text):
        safe |= {Kind.URL, Kind.REDIRECT}
    if _FIXED_PATH.match(text):
        safe.add(Kind.REDIRECT)
    return frozenset(safe)


_PERCENT = re.compile(r"%(?:\((?P<key>\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.\d+)?(?P<conv>[a-zA-Z%])")
_BRACE = re.compile(r"\{(?P<field>[^{}!:]*)(?:![rsa])?(?::(?P<spec>[^{}]*))?\}")
#: Text just before a placeholder that makes it a SQL *value* (not an identifier): a quote, a
#: comparison, LIKE, IN (, VALUES (, LIMIT, OFFSET.
_VALUE_CONTEXT = re.compile(
    r"(?:['\"]|(?:[=<>]|\blike|\bin\s*\(|\bvalues\s*\(|\blimit|\boffset|\bbetween)\s*\(?\s*)$", re.IGNORECASE
)
_NUMERIC = frozenset("dioufeEgGxXc")


def _value_context(before: str) -> bool:
    return bool(_VALUE_CONTEXT.search(before))


def _trailing_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _trailing_text(node.values[-1])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _trailing_text(node.right)
    return None


def _data_operand(node: ast.AST) -> bool:
    """A value, not an object's attribute: ``name``, ``row["name"]``, ``str(name)``, ``name.strip()``."""
    if isinstance(node, ast.Name | ast.Subscript):
        return True
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return bool(node.args) and _data_operand(node.args[0])
        if isinstance(node.func, ast.Attribute):
            return _data_operand(node.func.value)
    return False


def _percent_slots(text: str, right: ast.expr) -> list[ast.expr]:
    """Operands of ``text % right`` that land in a SQL value position as text."""
    elements = right.elts if isinstance(right, ast.Tuple) else None
    mapping = (
        {literal(k): v for k, v in zip(right.keys, right.values, strict=True) if k is not None}
        if isinstance(right, ast.Dict)
        else None
    )
    slots, index = [], 0
    for match in _PERCENT.finditer(text):
        conv = match["conv"]
        if conv == "%":
            continue
        position, index = index, index + 1
        if conv in _NUMERIC or not _value_context(text[: match.start()]):
            continue
        if mapping is not None and match["key"]:
            operand = mapping.get(match["key"])
        elif elements is not None:
            operand = elements[position] if position < len(elements) else None
        else:
            operand = right if position == 0 else None
        if operand is not None:
            slots.append(operand)
    return slots


def _format_slots(text: str, call: ast.Call) -> list[ast.expr]:
    """Operands of ``text.format(...)`` that land in a SQL value position."""
    slots, auto = [], 0
    for match in _BRACE.finditer(text):
        field_name = match["field"].split(".")[0].split("[")[0]
        if (match["spec"] or "")[-1:] in _NUMERIC:
            continue
        if field_name == "":
            operand = call.args[auto] if auto < len(call.args) else None
            auto += 1
        elif field_name.isdigit():
            operand = call.args[int(field_name)] if int(field_name) < len(call.args) else None
        else:
            operand = next((k.value for k in call.keywords if k.arg == field_name), None)
        if operand is not None and _value_context(text[: match.start()]):
            slots.append(operand)
    return slots


def value_slots(node: ast.AST) -> list[ast.expr]:
    """The operands a string-building expression puts where a SQL value goes."""
    slots: list[ast.expr] = []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            slots = _percent_slots(node.left.value, node.right)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        before = _trailing_text(node.left)
        if before is not None and not _is_str_literal(node.right) and _value_context(before):
            slots = [node.right]
    elif isinstance(node, ast.JoinedStr):
        for previous, part in itertools.pairwise(node.values):
            if isinstance(part, ast.FormattedValue) and isinstance(previous, ast.Constant):
                spec = part.format_spec
                numeric = spec is not None and (ast.unparse(spec).strip("'\"f")[-1:] in _NUMERIC)
                if not numeric and _value_context(str(previous.value)):
                    slots.append(part.value)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        receiver = node.func.value
        if isinstance(receiver, ast.Constant) and isinstance(receiver.value, str):
            slots = _format_slots(receiver.value, node)
    return [slot for slot in slots if _data_operand(slot)]


def _is_str_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)
    )


@dataclass
class Summary:
    """What a function does with its parameters: parameter -> kinds its return value carries."""

    params: list[str]
    returns: dict[str, frozenset[Kind]] = field(default_factory=dict)
    request_returns: frozenset[Kind] = frozenset()


@dataclass(frozen=True)
class CallSite:
    caller: ast.AST  # the calling function (or module)
    node: ast.Call
    args: dict[str, Taint]


@dataclass(frozen=True)
class Flow:
    """Evidence that tainted data reaches a sink."""

    confidence: Literal["HIGH", "MEDIUM"]
    evidence: str


def _annotation_name(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # int | None
        parts = {_annotation_name(node.left), _annotation_name(node.right)} - {"None"}
        return parts.pop() if len(parts) == 1 else ""
    if isinstance(node, ast.Subscript):  # Annotated[str, Query()], Optional[int], list[str]
        base = _annotation_name(node.value)
        if base in ("Annotated", "Optional") or base.endswith((".Annotated", ".Optional")):
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return _annotation_name(inner)
        return base
    return ast.unparse(node).split(".")[-1]


def _annotated_markers(node: ast.expr | None) -> list[ast.expr]:
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
        return list(node.slice.elts[1:])
    return []


def is_route(func: FunctionNode) -> bool:
    for decorator in func.decorator_list:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        if decorator.func.attr not in ROUTE_DECORATORS:
            continue
        path = (
            decorator.args[0]
            if decorator.args
            else next((k.value for k in decorator.keywords if k.arg in ("path", "rule")), None)
        )
        if isinstance(path, ast.Constant) and isinstance(path.value, str):
            return True
    return False


def _route_converters(func: FunctionNode) -> set[str]:
    """Flask/Quart/Werkzeug view arguments with a numeric converter: ``<int:id>``."""
    typed = set()
    for decorator in func.decorator_list:
        if isinstance(decorator, ast.Call):
            for arg in decorator.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    typed |= set(re.findall(r"<(?:int|float|uuid):(\w+)>", arg.value))
    return typed


def _injected(default: ast.expr | None) -> bool:
    return isinstance(default, ast.Call) and _annotation_name(default.func) in INJECTED_DEFAULTS


class ModuleTaint:
    """The taint analysis of one module, computed once (see :func:`module_taint`)."""

    def __init__(self, module: ast.Module, aliases: dict[str, str]) -> None:
        self.module = module
        self.aliases = aliases
        #: Names bound by ``import x``: a method called on one is a module function, not an object's.
        self.modules = frozenset(
            (a.asname or a.name).split(".")[0]
            for n in ast.walk(module)
            if isinstance(n, ast.Import)
            for a in n.names
        )
        self.imports_django = any(v.split(".")[0] == "django" for v in aliases.values())
        roots = {part for v in aliases.values() for part in v.split(".")[:3]}
        #: An HTTP *client* module (requests adapters, urllib3): its ``request`` is outgoing.
        self.client_side = bool(roots & HTTP_CLIENTS) and not roots & WEB_FRAMEWORKS
        self.expressions: dict[int, Taint] = {}
        self.scope_of: dict[int, ast.AST] = {}
        self.summaries: dict[str, Summary] = {}
        self.call_sites: dict[str, list[CallSite]] = {}
        self.functions: dict[int, str] = {}  # id(function) -> its key in summaries
        self.params_of: dict[str, list[str]] = {}  # key -> positional parameters, self excluded
        self._handler_classes: set[int] = set()
        scopes = self._scopes()
        for _ in range(2):  # the second round applies the summaries the first one computed
            self.expressions = {}
            self.call_sites = {}
            summaries: dict[str, Summary] = {}
            for scope, key in scopes:
                summary = _Interpreter(self, scope).run()
                if key is not None:
                    summaries[key] = summary
            self.summaries = summaries

    def _register(self, node: FunctionNode, key: str) -> None:
        self.functions[id(node)] = key
        positional = [*node.args.posonlyargs, *node.args.args]
        self.params_of[key] = [a.arg for a in positional if a.arg not in ("self", "cls")]

    def _scopes(self) -> list[tuple[ast.AST, str | None]]:
        scopes: list[tuple[ast.AST, str | None]] = [(self.module, None)]
        for node in self.module.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                scopes.append((node, node.name))
                self._register(node, node.name)
            elif isinstance(node, ast.ClassDef):
                bases = {_annotation_name(b) for b in node.bases}
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        key = f"{node.name}.{item.name}"
                        scopes.append((item, key))
                        self._register(item, key)
                        if bases & HANDLER_BASES:
                            self._handler_classes.add(id(item))
        known = {id(s) for s, _ in scopes}
        scopes += [
            (n, None)
            for n in ast.walk(self.module)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and id(n) not in known
        ]
        return scopes

    # -- queries --------------------------------------------------------------------------------

    def taint(self, expr: ast.AST) -> Taint:
        return self.expressions.get(id(expr), CLEAN)

    def origins(self, expr: ast.AST, kind: Kind) -> set[str]:
        return {origin for origin, k in self.taint(expr) if k is kind}

    def flow(self, expr: ast.AST, kind: Kind) -> Flow | None:
        """Request data reaches ``expr`` for a sink of ``kind``: directly, or through a caller."""
        origins = self.origins(expr, kind)
        if REQUEST in origins:
            return Flow("HIGH", "request data")
        scope = self.scope_of.get(id(expr))
        key = self.functions.get(id(scope)) if scope is not None else None
        if key is None:
            return None
        for origin in sorted(o for o in origins if o.startswith(PARAM)):
            caller = self._request_caller(key, origin[len(PARAM) :], kind, 0)
            if caller is not None:
                return Flow("HIGH", f"request data passed by {caller}")
        return None

    def formatted_parameters(self, expr: ast.AST, kind: Kind) -> list[str]:
        """Parameters of the enclosing function formatted into ``expr`` (still dangerous for ``kind``)."""
        taint = self.taint(expr)
        return sorted(
            origin[len(PARAM) :]
            for origin, k in taint
            if k is kind and origin.startswith(PARAM) and (origin, Kind.FORMATTED) in taint
        )

    def _request_caller(self, key: str, param: str, kind: Kind, depth: int) -> str | None:
        if depth > _MAX_CALLER_DEPTH:
            return None
        for site in self.call_sites.get(key, []):
            taint = site.args.get(param, CLEAN)
            if (REQUEST, kind) in taint:
                return f"{self._name(site.caller)}() line {site.node.lineno}"
            caller_key = self.functions.get(id(site.caller))
            if caller_key is None:
                continue
            for origin, k in taint:
                if k is kind and origin.startswith(PARAM):
                    found = self._request_caller(caller_key, origin[len(PARAM) :], kind, depth + 1)
                    if found is not None:
                        return found
        return None

    @staticmethod
    def _name(scope: ast.AST) -> str:
        return getattr(scope, "name", "<module>")

    # -- sources --------------------------------------------------------------------------------

    def is_request_object(self, node: ast.AST, request_names: frozenset[str]) -> bool:
        if self.client_side:
            return False
        if isinstance(node, ast.Name):
            return node.id in request_names or self.aliases.get(node.id, "") in REQUEST_GLOBALS
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "request"
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        )

    def is_handler_method(self, scope: ast.AST) -> bool:
        return id(scope) in self._handler_classes


class _Interpreter:
    """Runs one function (or the module body) over taint states."""

    def __init__(self, module: ModuleTaint, scope: ast.AST) -> None:
        self.m = module
        self.scope = scope
        self.returns: Taint = CLEAN
        self.request_names: frozenset[str] = frozenset()
        self.params: list[str] = []
        self.handler = module.is_handler_method(scope)

    # -- set-up ---------------------------------------------------------------------------------

    def _initial_state(self) -> State:
        state: State = {}
        if not isinstance(self.scope, ast.FunctionDef | ast.AsyncFunctionDef):
            return state
        args = self.scope.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[str, ast.expr | None] = dict.fromkeys(a.arg for a in positional)
        defaults.update(
            zip(
                [a.arg for a in positional][len(positional) - len(args.defaults) :],
                args.defaults,
                strict=True,
            )
        )
        defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True))
        every = [*positional, *args.kwonlyargs]
        names = [a.arg for a in every]
        route = is_route(self.scope)
        typed_in_route = _route_converters(self.scope)
        environ = bool(ENVIRON_PARAMETERS & set(names)) and "start_response" in names
        requests = set()
        for arg in every:
            annotation = _annotation_name(arg.annotation)
            if arg.arg in REQUEST_NAMES or annotation in REQUEST_TYPES:
                requests.add(arg.arg)
        self.request_names = frozenset(requests)
        plain = [n for n in names if n not in ("self", "cls")]
        django_view = self.m.imports_django and bool(plain) and plain[0] in requests
        for index, arg in enumerate(every):
            name = arg.arg
            if name in ("self", "cls") or name in requests:
                continue
            self.params.append(name)
            annotation = _annotation_name(arg.annotation)
            safe = annotation in SAFE_ANNOTATIONS or name in typed_in_route
            if (
                safe
                or _injected(defaults.get(name))
                or any(_injected(m) for m in _annotated_markers(arg.annotation))
            ):
                continue
            client = route or (django_view and index > 0) or (environ and name in ENVIRON_PARAMETERS)
            state[name] = _REQUEST_TAINT if client else _full(PARAM + name)
        if args.vararg is not None:
            state[args.vararg.arg] = _full(PARAM + args.vararg.arg)
        return state

    def run(self) -> Summary:
        state = self._initial_state()
        body = getattr(self.scope, "body", [])
        self._block(body, state)
        summary = Summary(params=self.params)
        for origin, kind in self.returns:
            if origin == REQUEST:
                summary.request_returns |= {kind}
            elif origin.startswith(PARAM):
                name = origin[len(PARAM) :]
                summary.returns[name] = summary.returns.get(name, frozenset()) | {kind}
        return summary

    # -- statements -----------------------------------------------------------------------------

    def _block(self, body: list[ast.stmt], state: State | None) -> State | None:
        for statement in body:
            if state is None:
                return None
            state = self._statement(statement, state)
        return state

    def _statement(self, node: ast.stmt, state: State) -> State | None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return state
        if isinstance(node, ast.Assign):
            taint = self._expr(node.value, state)
            for target in node.targets:
                self._bind(target, taint, node.value, state)
            return state
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._bind(node.target, self._expr(node.value, state), node.value, state)
            return state
        if isinstance(node, ast.AugAssign):
            taint = self._expr(node.value, state) | self._expr(node.target, state)
            key = _target_key(node.target)
            if key is not None:
                state[key] = taint
            return state
        if isinstance(node, ast.Return):
            if node.value is not None:
                self.returns |= self._expr(node.value, state)
            return None
        if isinstance(node, ast.Raise):
            for child in (node.exc, node.cause):
                if child is not None:
                    self._expr(child, state)
            return None
        if isinstance(node, ast.Continue | ast.Break):
            return None
        if isinstance(node, ast.Expr):
            self._expr(node.value, state)
            if isinstance(node.value, ast.Call) and self._qualname(node.value.func) in _TERMINATING_CALLS:
                return None
            return state
        if isinstance(node, ast.If):
            return self._if(node, state)
        if isinstance(node, ast.For | ast.AsyncFor):
            iterated = self._expr(node.iter, state)
            return self._loop(node, state, lambda s: self._bind(node.target, iterated, node.iter, s))
        if isinstance(node, ast.While):
            self._expr(node.test, state)
            return self._loop(node, state, lambda s: None)
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                taint = self._expr(item.context_expr, state)
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, taint, item.context_expr, state)
            return self._block(node.body, state)
        if isinstance(node, ast.Try | ast.TryStar):
            after_body = self._block(node.body, dict(state))
            entry = _join([state, after_body]) or state
            handlers = [self._block(h.body, dict(entry)) for h in node.handlers]
            normal = self._block(node.orelse, after_body) if after_body is not None else None
            joined = _join([normal, *handlers])
            if node.finalbody:
                final = self._block(node.finalbody, dict(joined or entry))
                return final if joined is not None else None
            return joined
        if isinstance(node, ast.Match):
            subject = self._expr(node.subject, state)
            outcomes = []
            for case in node.cases:
                branch = dict(state)
                for name in (n.name for n in ast.walk(case.pattern) if isinstance(n, ast.MatchAs)):
                    if name:
                        branch[name] = subject
                outcomes.append(self._block(case.body, branch))
            return _join([*outcomes, state])
        for part in ast.iter_child_nodes(node):
            if isinstance(part, ast.expr):
                self._expr(part, state)
        return state

    def _loop(
        self, node: ast.For | ast.AsyncFor | ast.While, state: State, bind: Callable[[State], None]
    ) -> State | None:
        current: State = state
        for _ in range(2):
            entry = dict(current)
            bind(entry)
            after = self._block(node.body, entry)
            current = _join([current, after]) or current
        return self._block(node.orelse, current) or current

    def _if(self, node: ast.If, state: State) -> State | None:
        self._expr(node.test, state)
        inside, outside = self._guard(node.test)
        body_state = dict(state)
        for name in inside:
            body_state[name] = CLEAN
        after_body = self._block(node.body, body_state)
        after_else = self._block(node.orelse, dict(state))
        if after_body is None and outside:
            after_else = dict(after_else) if after_else is not None else None
            for name in outside:
                if after_else is not None:
                    after_else[name] = CLEAN
        return _join([after_body, after_else])

    def _guard(self, test: ast.expr) -> tuple[list[str], list[str]]:
        """``if x in ALLOWED`` cleans ``x`` inside; ``if x not in ALLOWED: <exit>`` after."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name):
            container = test.comparators[0]
            if self.m.taint(container):
                return [], []
            if isinstance(test.ops[0], ast.In):
                return [test.left.id], []
            if isinstance(test.ops[0], ast.NotIn):
                return [], [test.left.id]
        return [], []

    def _bind(self, target: ast.AST, taint: Taint, value: ast.AST, state: State) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            paired = isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts)
            for index, element in enumerate(target.elts):
                if paired and not isinstance(element, ast.Starred):
                    element_value = value.elts[index]  # type: ignore[attr-defined]
                    self._bind(element, self.m.taint(element_value), element_value, state)
                else:
                    self._bind(element, taint, value, state)
            return
        if isinstance(target, ast.Starred):
            self._bind(target.value, taint, value, state)
            return
        if isinstance(target, ast.Subscript):  # d["k"] = x: the container now holds x
            self._expr(target.slice, state)
            key = _target_key(target.value)
            if key is not None:
                state[key] = state.get(key, CLEAN) | taint
            return
        key = _target_key(target)
        if key is not None:
            state[key] = taint

    # -- expressions ----------------------------------------------------------------------------

    def _qualname(self, node: ast.AST) -> str:
        return qualname(node, self.m.aliases) or ""

    def _expr(self, node: ast.AST, state: State) -> Taint:
        taint = self._evaluate(node, state)
        key = id(node)
        self.m.expressions[key] = self.m.expressions.get(key, CLEAN) | taint
        self.m.scope_of[key] = self.scope
        return taint

    def _all(self, nodes: Iterable[ast.AST], state: State) -> Taint:
        taint = CLEAN
        for node in nodes:
            taint |= self._expr(node, state)
        return taint

    def _evaluate(self, node: ast.AST, state: State) -> Taint:
        if isinstance(node, ast.Constant):
            return CLEAN
        if isinstance(node, ast.Name):
            return state.get(node.id, CLEAN)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, state)
        if isinstance(node, ast.Subscript):
            self._expr(node.slice, state)
            return self._expr(node.value, state)
        if isinstance(node, ast.Call):
            return self._call(node, state)
        if isinstance(node, ast.Await):
            return self._expr(node.value, state)
        if isinstance(node, ast.BinOp):
            taint = self._expr(node.left, state) | self._expr(node.right, state)
            if isinstance(node.op, ast.Add | ast.Mod) and (
                _is_str_literal(node.left) or _is_str_literal(node.right) or self._string_built(node.left)
            ):
                taint = _drop(self._mark(taint, node), _fixed_destination(node))
            return taint
        if isinstance(node, ast.JoinedStr):
            return _drop(self._mark(self._all(node.values, state), node), _fixed_destination(node))
        if isinstance(node, ast.FormattedValue):
            return self._expr(node.value, state)
        if isinstance(node, ast.BoolOp):
            return self._all(node.values, state)
        if isinstance(node, ast.IfExp):
            self._expr(node.test, state)
            return self._expr(node.body, state) | self._expr(node.orelse, state)
        if isinstance(node, ast.Compare):
            self._all([node.left, *node.comparators], state)
            return CLEAN
        if isinstance(node, ast.UnaryOp):
            taint = self._expr(node.operand, state)
            return CLEAN if isinstance(node.op, ast.Not) else taint
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return self._all(node.elts, state)
        if isinstance(node, ast.Dict):
            return self._all([k for k in node.keys if k is not None], state) | self._all(node.values, state)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return self._comprehension(node, state)
        if isinstance(node, ast.NamedExpr):
            taint = self._expr(node.value, state)
            state[node.target.id] = taint
            return taint
        if isinstance(node, ast.Lambda):
            return CLEAN
        return self._all(ast.iter_child_nodes(node), state)

    def _string_built(self, node: ast.AST) -> bool:
        return isinstance(node, ast.BinOp | ast.JoinedStr) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
        )

    def _mark(self, taint: Taint, node: ast.AST) -> Taint:
        operands = CLEAN.union(*(self.m.taint(slot) for slot in value_slots(node)))
        return _formatted(taint, operands)

    def _attribute(self, node: ast.Attribute, state: State) -> Taint:
        if self.m.is_request_object(node.value, self.request_names):
            return _REQUEST_TAINT if node.attr in REQUEST_ATTRIBUTES else CLEAN
        if (
            self.handler
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and node.attr in HANDLER_ATTRIBUTES
        ):
            return _REQUEST_TAINT
        key = _target_key(node)
        if key is not None and key in state:
            return state[key]
        taint = self._expr(node.value, state)
        if node.attr in _TEXT_METHODS:
            return taint
        # An attribute of a parameter is an object's field (conn.dialect, cfg.url), not the text the
        # caller passed: only request data keeps flowing through it.
        return frozenset(label for label in taint if not label[0].startswith(PARAM))

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, state: State
    ) -> Taint:
        inner = dict(state)
        for generator in node.generators:
            iterated = self._expr(generator.iter, inner)
            self._bind(generator.target, iterated, generator.iter, inner)
            for condition in generator.ifs:
                self._expr(condition, inner)
        if isinstance(node, ast.DictComp):
            return self._expr(node.key, inner) | self._expr(node.value, inner)
        return self._expr(node.elt, inner)

    def _call(self, node: ast.Call, state: State) -> Taint:
        func = node.func
        arguments = [*node.args, *(k.value for k in node.keywords)]
        args = [self._expr(a, state) for a in arguments]
        name = self._qualname(func)
        receiver = self._expr(func, state)
        everything = receiver.union(*args)
        method = func.attr if isinstance(func, ast.Attribute) else ""
        if name in SANITIZERS:
            return _drop(everything, SANITIZERS[name])
        if method in CLEAN_METHODS:
            return CLEAN
        local = self._local_callee(func)
        if local is not None:
            return self._apply_summary(local, node, args)
        if method == "get" and any(
            k.arg == "type" and isinstance(k.value, ast.Name) and k.value.id in SANITIZERS
            for k in node.keywords
        ):  # request.args.get("n", type=int)
            return CLEAN
        if method == "replace" and len(node.args) == 2 and literal(node.args[0]) == "'":
            return _drop(everything, frozenset({Kind.SQL}))  # value.replace("'", "''"): quoted for SQL
        if method in _LOOKUPS:  # d.get(key, default): the key chooses a value, it does not become it
            return receiver.union(*args[1:])
        if method in ("format", "format_map", "join") and _is_str_literal(func.value):  # type: ignore[attr-defined]
            return _drop(self._mark(everything, node), _fixed_destination(node))
        return everything

    def _local_callee(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            known = func.id in self.m.params_of and func.id not in self.m.aliases
            return func.id if known else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            owner = self.m.functions.get(id(self.scope), "").partition(".")[0]
            key = f"{owner}.{func.attr}"
            return key if key in self.m.params_of else None
        return None

    def _apply_summary(self, key: str, node: ast.Call, args: list[Taint]) -> Taint:
        summary = self.m.summaries.get(key)
        params = self.m.params_of[key]
        bound: dict[str, Taint] = {}
        for index, taint in enumerate(args[: len(node.args)]):
            if index < len(params) and not isinstance(node.args[index], ast.Starred):
                bound[params[index]] = taint
        for keyword, taint in zip(node.keywords, args[len(node.args) :], strict=True):
            if keyword.arg is not None:
                bound[keyword.arg] = taint
        self.m.call_sites.setdefault(key, []).append(CallSite(self.scope, node, bound))
        if summary is None:  # first round: not summarised yet, assume it passes everything on
            return CLEAN.union(*args)
        result: Taint = frozenset((REQUEST, k) for k in summary.request_returns)
        for param, kinds in summary.returns.items():
            result |= {(o, k) for o, k in bound.get(param, CLEAN) if k in kinds}
        return result


def _module_of(node: ast.AST) -> ast.Module | None:
    if isinstance(node, ast.Module):
        return node
    root = None
    for parent in parents(node):
        root = parent
    return root if isinstance(root, ast.Module) else None


def import_aliases(module: ast.Module) -> dict[str, str]:
    """Every import of the module: local name -> qualified name."""
    aliases: dict[str, str] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def module_taint(node: ast.AST) -> ModuleTaint | None:
    """The analysis of the module around ``node`` (bandit links nodes to parents), cached on it."""
    module = _module_of(node)
    if module is None:
        return None
    cached = getattr(module, "_sentinel_taint", None)
    if isinstance(cached, ModuleTaint):
        return cached
    analysis = ModuleTaint(module, import_aliases(module))
    module._sentinel_taint = analysis  # type: ignore[attr-defined]
    return analysis


def request_flow(node: ast.AST, kind: Kind) -> Flow | None:
    """Request data reaches ``node`` (an argument of a sink), or None."""
    analysis = module_taint(node)
    return None if analysis is None else analysis.flow(node, kind)


__all__ = [
    "CLEAN",
    "REQUEST",
    "SANITIZERS",
    "CallSite",
    "Flow",
    "Kind",
    "ModuleTaint",
    "Summary",
    "Taint",
    "import_aliases",
    "is_route",
    "module_taint",
    "request_flow",
]
