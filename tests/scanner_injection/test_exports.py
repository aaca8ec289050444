"""``scanner.active`` exports exactly its public names, and the new checks are registered, documented
and loaded lazily like every other check."""

from __future__ import annotations

import subprocess
import sys
import types

import scanner.active
from scanner.checks._docs import pages
from scanner.checks._registry import CheckKind, find, registry
from tests.scanner_injection.conftest import INJECTION_CHECKS


def test_all_is_complete() -> None:
    exported = list(scanner.active.__all__)
    public = {
        name
        for name in dir(scanner.active)
        if not name.startswith("_") and not isinstance(getattr(scanner.active, name), types.ModuleType)
    }
    assert len(exported) == len(set(exported)) and set(exported) == public - {"annotations"}


def test_the_injection_checks_are_active_documented_and_distinct() -> None:
    specs = {s.name: s for s in registry() if s.kind is CheckKind.ACTIVE}
    # Stored XSS runs once per scan (plant everywhere, then recrawl), so it is not per-point.
    assert set(specs) == INJECTION_CHECKS - {"stored-xss"}
    cwes = {spec.rules[0].cwe for spec in specs.values()}
    assert cwes == {89, 611, 134, 95, 643, 1336, 79, 78, 22, 601, 113}
    docs = {path.stem: (path, text) for path, text in pages().items()}
    for name, spec in {**specs, "stored-xss": find("stored-xss")}.items():
        path, text = docs[name]
        assert path.read_text(encoding="utf-8") == text, f"stale: run python -m scanner.checks._docs ({name})"
        for section in ("**Payloads.**", "**False-positive guards.**", "**CWE:**", "**How to fix.**"):
            assert section in spec.doc, (name, section)


def test_importing_scanner_loads_no_injection_check() -> None:
    code = (
        "import sys, scanner.runner; print(sorted(m for m in sys.modules if m.startswith('scanner.checks.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "['scanner.checks._registry']"
