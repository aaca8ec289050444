"""Report formatters (console, JSON, SARIF 2.1.0, JUnit XML, HTML) behind one registry."""

from scanner.report._registry import FORMATS, Formatter, formatter, render

__all__ = ["FORMATS", "Formatter", "formatter", "render"]
