"""Access to the plugins and their documentation for code that is not bandit."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sentinel_bandit.rules import RULES, PluginRule


def plugins() -> dict[str, Callable[..., Any]]:
    """Every plugin function by rule ID (imports bandit)."""
    return {
        rule.id: getattr(importlib.import_module(f"sentinel_bandit.{rule.module}"), rule.function)
        for rule in RULES
    }


def documentation(rule: PluginRule) -> str:
    """The rule's documentation: its plugin module's docstring, read from the source.

    Read, not imported: importing any bandit module loads every bandit plugin (and warns on some
    stevedore versions), which a caller that only wants the text should not pay for."""
    spec = importlib.util.find_spec(f"sentinel_bandit.{rule.module}")
    if spec is None or spec.origin is None:
        return rule.summary
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return ast.get_docstring(tree) or rule.summary


__all__ = ["documentation", "plugins"]
