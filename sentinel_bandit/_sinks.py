"""Sinks and the one plugin body every taint rule shares.

A rule is a table of :class:`Sink` (where its kind of data must not arrive) and a call to
:func:`taint_issue` from its plugin function. Adding a sink to a rule is one more table entry.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sentinel_bandit._ast import argument, keyword, literal, qualname
from sentinel_bandit._plugin import Context, issue
from sentinel_bandit._taint import Kind, module_taint
from sentinel_bandit.rules import PluginRule

Select = Callable[[ast.Call], list[ast.expr]]


def arg(position: int, name: str) -> Select:
    """The argument at ``position`` or given as ``name``."""

    def select(call: ast.Call) -> list[ast.expr]:
        found = argument(call, position, name)
        return [] if found is None else [found]

    return select


def keywords(*names: str) -> Select:
    """Keyword arguments (their list elements, or dict values, when given as literals)."""

    def select(call: ast.Call) -> list[ast.expr]:
        found: list[ast.expr] = []
        for name in names:
            value = keyword(call, name)
            if isinstance(value, ast.List | ast.Tuple):
                found += value.elts
            elif isinstance(value, ast.Dict):
                found += value.values
            elif value is not None:
                found.append(value)
        return found

    return select


def receiver(call: ast.Call) -> list[ast.expr]:
    """The object a method is called on: ``path`` in ``path.read_text()``."""
    return [call.func.value] if isinstance(call.func, ast.Attribute) else []


def shell_true(call: ast.Call) -> bool:
    return literal(keyword(call, "shell")) is True


def no_shell(call: ast.Call) -> bool:
    return not shell_true(call)


def program(call: ast.Call) -> list[ast.expr]:
    """argv[0] of an exec-style call: the first element of a literal list, else the whole argument."""
    first = argument(call, 0, "args")
    if first is None:
        return []
    if isinstance(first, ast.List | ast.Tuple):
        return first.elts[:1] if first.elts and not isinstance(first.elts[0], ast.Starred) else []
    return [first]


def call_name(call: ast.Call, aliases: dict[str, str]) -> str:
    """The call's qualified name, computed once per node for all the rules that ask."""
    cached = getattr(call, "_sentinel_qualname", None)
    if isinstance(cached, str):
        return cached
    name = qualname(call.func, aliases) or ""
    call._sentinel_qualname = name  # type: ignore[attr-defined]
    return name


@dataclass(frozen=True, kw_only=True)
class Sink:
    """Where tainted data must not arrive. ``names`` are qualified call names (``os.system``;
    builtins by bare name, if not shadowed by an import); ``methods`` match a method name on any
    receiver (``cursor.execute``)."""

    label: str
    select: Select
    names: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    when: Callable[[ast.Call], bool] | None = None

    def matches(self, call: ast.Call, aliases: dict[str, str]) -> bool:
        func = call.func
        hit = False
        if self.methods and isinstance(func, ast.Attribute) and func.attr in self.methods:
            hit = True
        elif self.names:
            hit = call_name(call, aliases) in self.names
        return hit and (self.when is None or self.when(call))


def taint_issue(
    rule: PluginRule,
    context: Context,
    sinks: Sequence[Sink],
    kind: Kind,
    message: Callable[[Sink, str], str],
    *,
    formatted_parameters: bool = False,
) -> Any:
    """The issue for a call that is one of ``sinks`` reached by request data, else None.

    With ``formatted_parameters``, a value *formatted* from the enclosing function's parameters is
    reported too, at medium confidence: the callers (possibly in other modules) decide what it holds,
    and formatting is the flaw whatever they pass."""
    call = context.node
    if not isinstance(call, ast.Call):
        return None
    aliases = context.import_aliases
    sink = next((s for s in sinks if s.matches(call, aliases)), None)
    if sink is None:
        return None
    analysis = module_taint(call)
    if analysis is None:
        return None
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if sink.methods and isinstance(receiver, ast.Name) and receiver.id in analysis.modules:
        return None  # js.fetch(...), not a cursor's fetch
    values = sink.select(call)
    for value in values:
        flow = analysis.flow(value, kind)
        if flow is not None:
            return issue(rule, call, message(sink, flow.evidence), confidence=flow.confidence)
    if formatted_parameters:
        for value in values:
            params = analysis.formatted_parameters(value, kind)
            if params:
                evidence = f"parameter {', '.join(params)} formatted into it"
                return issue(rule, call, message(sink, evidence), confidence="MEDIUM")
    return None


def names(*qualified: str) -> frozenset[str]:
    return frozenset(qualified)


__all__ = [
    "Sink",
    "arg",
    "call_name",
    "keywords",
    "names",
    "no_shell",
    "program",
    "receiver",
    "shell_true",
    "taint_issue",
]
