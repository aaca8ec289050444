"""Each package's ``__all__`` names exactly its public, non-module attributes (ruff's RUF022 keeps
it sorted), as httpx's tests/test_exported_members.py does. One test for every package, so a new
package only adds a line to PACKAGES."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "sentinel",
    "sentinel.sessions",
    "sentinel.passwords",
    "sentinel.ratelimit",
    "sentinel.csrf",
    "sentinel.headers",
    "sentinel.health",
    "sentinel.shedding",
    "sentinel.observability",
    "sentinel.xml",
    "sentinel.auth",
    "sentinel.migrate",
    "scanner",
    "scanner.active",
    "scanner.static",
    "scanner.ci",
    "sentinel_bandit",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_complete(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    public = {
        attr
        for attr in dir(package)
        if not attr.startswith("_") and not isinstance(getattr(package, attr), types.ModuleType)
    }
    assert len(exported) == len(set(exported))
    assert set(exported) - {"__version__"} == public - {"annotations"}


def test_version_matches_the_cli() -> None:
    import subprocess
    import sys

    import sentinel

    out = subprocess.run(
        [sys.executable, "-m", "sentinel", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == f"sentinel {sentinel.__version__}"
