"""The glue between a :class:`~sentinel_bandit.rules.PluginRule` and bandit's plugin protocol.

bandit finds a test through its ``bandit.plugins`` entry point and reads two attributes that its own
decorators set: ``_checks`` (the AST node types it wants) and ``_test_id``. :func:`plugin` applies
those decorators (so the protocol stays bandit's), checks the node type names, and records the rule.
bandit is untyped, hence the casts here and nowhere else.

A test receives a bandit ``Context`` per node and returns one ``Issue`` or ``None``. :func:`issue`
builds the Issue by keyword (never positionally: a CWE once slid into bandit's severity slot that way)
and pins its location to the node that is actually wrong, so ``# nosec SNT9xx`` on that line works.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from bandit.core import issue as bandit_issue  # type: ignore[import-untyped]
from bandit.core import test_properties

from sentinel_bandit.rules import Level, PluginRule


class Context(Protocol):
    """The part of bandit's ``bandit.core.context.Context`` the plugins use."""

    @property
    def node(self) -> ast.AST: ...
    @property
    def import_aliases(self) -> dict[str, str]: ...
    @property
    def call_function_name_qual(self) -> str | None: ...


Test = Callable[[Context], Any]
F = TypeVar("F", bound=Test)


def plugin(rule: PluginRule, *node_types: str) -> Callable[[F], F]:
    """Register ``func`` as the bandit test for ``rule`` on these AST node types."""
    for name in node_types:
        if not isinstance(getattr(ast, name, None), type):
            raise ValueError(f"{rule.id}: {name!r} is not an ast node type")

    def wrap(func: F) -> F:
        if func.__name__ != rule.function:
            raise ValueError(f"{rule.id}: the function must be named {rule.function}")
        decorated = test_properties.test_id(rule.id)(test_properties.checks(*node_types)(func))
        decorated.sentinel_rule = rule
        return cast(F, decorated)

    return wrap


def issue(
    rule: PluginRule,
    node: ast.AST,
    text: str,
    *,
    confidence: Level,
    severity: Level | None = None,
) -> Any:
    """A bandit ``Issue`` for ``rule`` located at ``node`` (its first to last line)."""
    found = bandit_issue.Issue(
        severity=severity or rule.severity,
        cwe=rule.cwe,
        confidence=confidence,
        text=text,
        test_id=rule.id,
        lineno=getattr(node, "lineno", None),
        col_offset=getattr(node, "col_offset", -1),
    )
    first = getattr(node, "lineno", None)
    if first is not None:
        last = getattr(node, "end_lineno", None) or first
        found.linerange = list(range(first, last + 1))
    return found


__all__ = ["Context", "Test", "issue", "plugin"]
