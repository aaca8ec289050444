"""Keep ``sentinel.xml.__all__`` honest (httpx's tests/test_exported_members.py does the same)."""

from __future__ import annotations

import types

import sentinel.xml


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_complete_and_importable() -> None:
    exported = sentinel.xml.__all__
    assert exported == sorted(exported, key=_isort_key)
    public = {
        name
        for name in dir(sentinel.xml)
        if not name.startswith("_") and not isinstance(getattr(sentinel.xml, name), types.ModuleType)
    }
    assert public == set(exported)
