"""The new packages' ``__all__`` name exactly their public, non-module attributes."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize("name", ["sentinel_bandit", "scanner.static", "scanner.ci"])
def test_all_is_complete(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    public = {
        attr
        for attr in dir(package)
        if not attr.startswith("_") and not isinstance(getattr(package, attr), types.ModuleType)
    }
    assert len(exported) == len(set(exported))
    assert set(exported) == public - {"annotations"}
