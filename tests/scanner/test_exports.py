"""Each package's __all__ is sorted and names exactly what it exports."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "scanner",
    "scanner.analysis",
    "scanner.auth",
    "scanner.checks",
    "scanner.discovery",
    "scanner.http",
    "scanner.report",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n)) or exported == sorted(exported)
    for item in exported:
        assert hasattr(module, item), item
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and getattr(v, "__module__", "").startswith(name)
    }
    assert public <= set(exported) | {"annotations"}


def test_importing_scanner_loads_no_check_module() -> None:
    import subprocess
    import sys

    code = "import sys, scanner; print(any(m.startswith('scanner.checks.session') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_check_docs_match_their_docstrings() -> None:
    from scanner.checks._docs import pages
    from scanner.checks._registry import registry

    for path, text in pages().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"stale: run python -m scanner.checks._docs ({path.name})"
        )
    for spec in registry():
        doc = spec.doc
        for part in ("**What it detects.**", "**CWE:**", "**Example evidence.**", "**How to fix.**"):
            assert part in doc, (spec.name, part)
        assert all(rule.id in doc and rule.cwe_id in doc for rule in spec.rules), spec.name
