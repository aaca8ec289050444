"""The formatter registry: every format has the same signature, ``(result) -> str``.

Output is deterministic: findings sorted by severity, rule, location; checks by name; times in UTC
at second precision; JSON keys sorted. The same result always renders to the same bytes, which is what
the golden-file tests pin.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.errors import ScanConfigError
from scanner.result import ScanResult

Formatter = Callable[[ScanResult], str]

#: format name -> (module, function); imported on first use, like the checks.
_FORMATTERS: dict[str, tuple[str, str]] = {
    "console": ("scanner.report.console", "render_console"),
    "html": ("scanner.report.htmlfmt", "render_html"),
    "json": ("scanner.report.jsonfmt", "render_json"),
    "junit": ("scanner.report.junit", "render_junit"),
    "sarif": ("scanner.report.sarif", "render_sarif"),
}
FORMATS = tuple(sorted(_FORMATTERS))


def formatter(name: str) -> Formatter:
    import importlib

    try:
        module, function = _FORMATTERS[name]
    except KeyError:
        raise ScanConfigError([f"unknown format {name!r}: use one of {', '.join(FORMATS)}"]) from None
    found: Formatter = getattr(importlib.import_module(module), function)
    return found


def render(result: ScanResult, name: str) -> str:
    return formatter(name)(result)


__all__ = ["FORMATS", "Formatter", "formatter", "render"]
