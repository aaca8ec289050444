"""Each guard package's ``__all__`` names exactly its public, non-module attributes."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "sentinel.shedding",
    "sentinel.health",
    "sentinel.headers",
    "sentinel.csrf",
    "sentinel.observability",
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
    assert set(exported) == public - {"annotations"}


def test_importing_the_packages_does_not_need_prometheus() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['prometheus_client'] = None\n"
        "import sentinel.observability, sentinel.shedding, sentinel.health, sentinel.csrf, sentinel.headers\n"
        "try:\n    import sentinel.observability.metrics\n"
        "except Exception as e:\n    print(type(e).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "ConfigurationError"
