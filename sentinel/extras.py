"""How to install an optional extra, said the same way by every message that needs one.

Sentinel is not published on PyPI yet, so ``pip install 'sentinel-asgi[redis]'`` would fail (or,
worse, install someone else's package of that name). Until a release, extras come from a checkout
or from the Git repository (README.md, "Install").
"""

from __future__ import annotations


def install_hint(extra: str) -> str:
    """``pip install`` instructions for ``extra`` that work before a release."""
    return (
        f"pip install '.[{extra}]' in a Sentinel checkout "
        f"(or pip install 'sentinel-asgi[{extra}] @ git+<repository URL>')"
    )


__all__ = ["install_hint"]
