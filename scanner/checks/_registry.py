"""The check registry: a decorator that attaches metadata, and a lazy index by name and rule ID.

Check modules are imported on the first call to :func:`registry`, never when ``scanner`` is imported
(bandit's plugins are loaded at import time; a broken plugin then breaks everything). Every module in
``scanner.checks`` whose name does not start with ``_`` is a check module; its docstring is the
check's documentation, published as ``docs/checks/<name>.md``.

Three kinds of check, dispatched by the runner:

- ``SESSION``: runs once per scan with the scan context (login flows, sampling, brute force);
- ``ACTIVE``: runs once per discovered insertion point (an endpoint parameter), with a payload seam
  (:meth:`~scanner.discovery.endpoints.InsertionPoint.inject`); the injection checks of issue #7;
- ``PASSIVE``: runs once after the others, over the log of every exchange the scan made.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from scanner.errors import ScanConfigError
from scanner.findings import Finding, Rule

if TYPE_CHECKING:
    from scanner.context import ScanContext
    from scanner.discovery.endpoints import InsertionPoint


class CheckKind(enum.Enum):
    SESSION = "session"
    ACTIVE = "active"
    PASSIVE = "passive"


SessionRun = Callable[["ScanContext"], Awaitable[list[Finding]]]
ActiveRun = Callable[["ScanContext", "InsertionPoint"], Awaitable[list[Finding]]]
F = TypeVar("F", bound=Callable[..., Awaitable[list[Finding]]])


@dataclass(frozen=True, kw_only=True)
class CheckSpec:
    """A registered check: what it reports and how to run it."""

    name: str
    kind: CheckKind
    rules: tuple[Rule, ...]
    run: Callable[..., Awaitable[list[Finding]]]
    module: str
    #: Lower runs earlier. Brute force runs late so its failed logins cannot lock out the others.
    order: int = 50

    @property
    def doc(self) -> str:
        return (sys.modules[self.module].__doc__ or "").strip()

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


_SPECS: dict[str, CheckSpec] = {}
_loaded = False


def check(*, name: str, kind: CheckKind, rules: Iterable[Rule], order: int = 50) -> Callable[[F], F]:
    """Register the decorated coroutine function as a check."""

    def decorate(func: F) -> F:
        register(
            CheckSpec(name=name, kind=kind, rules=tuple(rules), run=func, module=func.__module__, order=order)
        )
        return func

    return decorate


def register(spec: CheckSpec) -> None:
    """Add a check (the decorator calls this; tests and plugins may too). Names and rule IDs are unique."""
    taken = {r.id for s in _SPECS.values() if s.name != spec.name for r in s.rules}
    clash = taken & {r.id for r in spec.rules}
    if clash:
        raise ValueError(f"rule IDs already registered by another check: {sorted(clash)}")
    _SPECS[spec.name] = spec


def unregister(name: str) -> None:
    _SPECS.pop(name, None)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    package = importlib.import_module("scanner.checks")
    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"scanner.checks.{module.name}")
    _loaded = True


def registry() -> list[CheckSpec]:
    """Every registered check, in run order."""
    _load()
    return sorted(_SPECS.values(), key=lambda s: (s.order, s.name))


def all_rules() -> list[Rule]:
    return sorted((r for s in registry() for r in s.rules), key=lambda r: r.id)


def find(key: str) -> CheckSpec:
    """A check by its name or by one of its rule IDs (case-insensitive)."""
    wanted = key.strip().lower()
    for spec in registry():
        if spec.name.lower() == wanted or any(r.id.lower() == wanted for r in spec.rules):
            return spec
    raise KeyError(key)


def select(include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[CheckSpec]:
    """The checks to run: all, or those named in ``include``, minus ``exclude``; unknown names fail."""
    problems: list[str] = []

    def resolve(keys: Iterable[str]) -> set[str]:
        names = set()
        for key in keys:
            try:
                names.add(find(key).name)
            except KeyError:
                problems.append(f"unknown check {key!r}")
        return names

    chosen, dropped = resolve(include), resolve(exclude)
    if problems:
        known = ", ".join(s.name for s in registry())
        raise ScanConfigError([*problems, f"known checks: {known} (or their rule IDs)"])
    return [s for s in registry() if (not chosen or s.name in chosen) and s.name not in dropped]


def spec_for(func: Callable[..., Any]) -> CheckSpec:
    """The spec a decorated function registered (for checks to find their own rules)."""
    for spec in _SPECS.values():
        if spec.run is func:
            return spec
    raise KeyError(func.__qualname__)


__all__ = [
    "ActiveRun",
    "CheckKind",
    "CheckSpec",
    "SessionRun",
    "all_rules",
    "check",
    "find",
    "register",
    "registry",
    "select",
    "spec_for",
    "unregister",
]
