"""SNT910 hardcoded-secret-key: a session or signing key written in the source (CWE-321).

**What it detects.** A non-empty string or bytes literal (alone, in a list or tuple, or wrapped:
``Secret("...")``, ``"...".encode()``, ``bytes.fromhex("...")``) given to a name that holds a secret
key:

- assignments: ``SECRET_KEY = "..."``, ``app.secret_key = "..."``, ``app.config["SECRET_KEY"] = "..."``;
- keyword arguments: ``SessionMiddleware(app, secret_key="...")``, ``secret_keys=["..."]``;
- parameter defaults: ``def make_app(secret_key="dev"): ...``;
- dict literals: ``{"SECRET_KEY": "..."}``;
- environment fallbacks: ``os.environ.get("SECRET_KEY", "dev-key")`` (confidence medium: the literal
  is used wherever the variable is missing, production included).

- **by sink, whatever the variable is called**: a literal that reaches the key of a signing or
  encryption call, directly or through assignments in the module (``key = "..."``, then
  ``k = key.encode()``, then ``Fernet(k)``): ``cryptography.fernet.Fernet``, PyJWT and python-jose
  ``jwt.encode``/``jwt.decode``, itsdangerous serializers and signers, ``hmac.new``/``hmac.digest``,
  Starlette's ``SessionMiddleware(secret_key=...)`` and Flask's ``app.secret_key``/
  ``app.config["SECRET_KEY"]``/``app.config.update(SECRET_KEY=...)``, Django's ``SECRET_KEY``. Reported
  at the literal.

Key names (case-insensitive, as whole words at the end): ``secret_key(s)``, ``signing_key(s)``,
``session_secret``, ``cookie_secret``, ``jwt_secret``, ``app_secret``, ``csrf_secret``, each
optionally followed by ``_key(s)``. bandit's B105/B106 report any "secret"/"password"-named literal
at low severity; this rule reports signing keys at high severity.

**Why it matters.** Whoever reads the repository (or the wheel) can sign session cookies, CSRF
tokens and reset links for any user. Keys in version control also never rotate.

**Example evidence.** ``app.add_middleware(SessionMiddleware, secret_key="change-me")``;
``key = "JHtM1w..."`` then ``Fernet(key)``.

**How to fix.** Read keys from the environment or a secrets file at start:
``sentinel.keys_from_env("SENTINEL_SECRET_KEYS")`` (``NAME`` or ``NAME_FILE``, newest key first).

Severity high.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from sentinel_bandit._ast import argument, call_qualname, callee_name, literal, literal_key, parents
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit.rules import HARDCODED_SECRET_KEY

_KEY_NAME = re.compile(
    r"(?:^|_)(?:secret_keys?|signing_keys?|(?:session|cookie|jwt|app|csrf)_secret(?:_keys?)?)$"
)
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
_WRAPPERS = frozenset({"Secret", "bytes", "str", "fromhex", "encode", "SecretStr", "SecretBytes"})


def key_name(name: str) -> bool:
    return bool(_KEY_NAME.search(name.lower()))


def hard_coded(node: ast.AST | None) -> bool:
    """A non-empty literal, or a container or wrapper of one."""
    if node is None:
        return False
    value = literal(node)
    if isinstance(value, str | bytes):
        return bool(value)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(hard_coded(e) for e in node.elts)
    if isinstance(node, ast.Call) and callee_name(node) in _WRAPPERS:
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        return any(hard_coded(a) for a in node.args) or (
            callee_name(node) == "encode" and hard_coded(receiver)
        )
    return False


def _target_name(target: ast.AST) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return literal_key(target)
    return None


Found = tuple[str, ast.AST]  # (key name, the node to report: the literal's statement or value)


def _assignment(node: ast.AST) -> Found | None:
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if hard_coded(node.value):
            name = next((n for t in targets if (n := _target_name(t)) and key_name(n)), None)
            return None if name is None else (name, node)
    return None


def _defaults(node: ast.AST) -> Found | None:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    return next(((a.arg, d) for a, d in pairs if key_name(a.arg) and hard_coded(d)), None)


def _dict(node: ast.AST) -> Found | None:
    if not isinstance(node, ast.Dict):
        return None
    for key, value in zip(node.keys, node.values, strict=True):
        name = literal(key)
        if isinstance(name, str) and key_name(name) and hard_coded(value):
            return name, value
    return None


def _keyword(node: ast.AST) -> Found | None:
    if not isinstance(node, ast.Call):
        return None
    return next(
        ((k.arg, k.value) for k in node.keywords if k.arg and key_name(k.arg) and hard_coded(k.value)), None
    )


def _env_fallback(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if not isinstance(node, ast.Call) or call_qualname(node, aliases) not in ENV_GETTERS:
        return None
    if len(node.args) < 2:
        return None
    name = literal(node.args[0])
    return name if isinstance(name, str) and key_name(name) and hard_coded(node.args[1]) else None


_ITSDANGEROUS = ("Serializer", "URLSafeSerializer", "TimedSerializer", "URLSafeTimedSerializer", "Signer")
#: Calls whose argument is a signing or encryption key: qualified name -> (position, keyword).
KEY_SINKS: dict[str, tuple[int, str]] = {
    "cryptography.fernet.Fernet": (0, "key"),
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "jose.jwt.encode": (1, "key"),
    "jose.jwt.decode": (1, "key"),
    "hmac.new": (0, "key"),
    "hmac.digest": (0, "key"),
    **{f"itsdangerous.{name}": (0, "secret_key") for name in (*_ITSDANGEROUS, "TimestampSigner")},
    "starlette.middleware.sessions.SessionMiddleware": (1, "secret_key"),
}
_KEY_ATTRIBUTES = frozenset({"secret_key", "SECRET_KEY"})
#: Modules whose import can put a key into one of the sinks (the flow analysis runs only then).
_KEY_MODULES = frozenset(
    {"cryptography", "jwt", "jose", "hmac", "itsdangerous", "starlette", "flask", "quart", "django"}
)
_SINK_CALLEES = frozenset(name.rpartition(".")[2] for name in KEY_SINKS)


def _key_values(node: ast.AST, aliases: dict[str, str]) -> list[tuple[str, ast.AST]]:
    """(sink, value) pairs: the expressions ``node`` uses as a key."""
    found: list[tuple[str, ast.AST]] = []
    if isinstance(node, ast.Call):
        if callee_name(node) not in _SINK_CALLEES and not node.keywords:
            return found
        name = call_qualname(node, aliases)
        if name in KEY_SINKS:
            position, keyword_name = KEY_SINKS[name]
            value = argument(node, position, keyword_name)
            if value is not None:
                found.append((f"{name.split('.')[-1]}()", value))
        for keyword in node.keywords:  # add_middleware(SessionMiddleware, secret_key=k), config.update(...)
            if keyword.arg in _KEY_ATTRIBUTES:
                found.append((keyword.arg, keyword.value))
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            attribute = _target_name(target)
            if attribute in _KEY_ATTRIBUTES:
                found.append((attribute, node.value))
    return found


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _KeyFlows:
    """Which variable names of a module end up as a key, and where (computed once per module)."""

    def __init__(self, module: ast.AST, aliases: dict[str, str]) -> None:
        self.names: dict[str, str] = {}  # variable -> the sink it reaches
        assignments: list[tuple[set[str], ast.AST]] = []
        for node in ast.walk(module):
            for sink, value in _key_values(node, aliases):
                for name in _names_in(value):
                    self.names.setdefault(name, sink)
            if isinstance(node, ast.Assign):
                targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
                if targets:
                    assignments.append((targets, node.value))
        for _ in range(3):  # k = key.encode(); Fernet(k): key reaches Fernet too
            for targets, value in assignments:
                reached = next((self.names[t] for t in targets if t in self.names), None)
                if reached is not None:
                    for name in _names_in(value):
                        self.names.setdefault(name, reached)


def _key_flows(node: ast.AST, aliases: dict[str, str]) -> _KeyFlows | None:
    root = None
    for parent in parents(node):
        root = parent
    if root is None:
        return None
    cached = getattr(root, "_sentinel_keys", None)
    if isinstance(cached, _KeyFlows):
        return cached
    computed = _KeyFlows(root, aliases)
    root._sentinel_keys = computed  # type: ignore[attr-defined]
    return computed


def _by_sink(node: ast.AST, aliases: dict[str, str]) -> Found | None:
    """A literal given to a key sink directly, or assigned to a variable that reaches one."""
    for sink, value in _key_values(node, aliases):
        if hard_coded(value):
            return sink, value
    if (
        isinstance(node, ast.Assign | ast.AnnAssign)
        and {v.split(".")[0] for v in aliases.values()} & _KEY_MODULES
        and hard_coded(node.value)
    ):
        flows = _key_flows(node, aliases)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if flows is not None and isinstance(target, ast.Name) and target.id in flows.names:
                return f"key {target.id} (reaches {flows.names[target.id]})", node
    return None


@plugin(HARDCODED_SECRET_KEY, "Assign", "AnnAssign", "Call", "FunctionDef", "AsyncFunctionDef", "Dict")
def sentinel_hardcoded_secret_key(context: Context) -> Any:
    node = context.node
    fallback = _env_fallback(node, context.import_aliases)
    if fallback is not None:
        return issue(
            HARDCODED_SECRET_KEY,
            node,
            f"hard-coded fallback for {fallback}: used whenever the variable is missing",
            confidence="MEDIUM",
        )
    found = (
        _assignment(node)
        or _defaults(node)
        or _dict(node)
        or _keyword(node)
        or _by_sink(node, context.import_aliases)
    )
    if found is None:
        return None
    name, where = found
    return issue(
        HARDCODED_SECRET_KEY,
        where,
        f"hard-coded {name}: anyone with the source can forge sessions and tokens; read keys from the "
        "environment (sentinel.keys_from_env)",
        confidence="HIGH",
    )
