"""Sentinel's companion scanner (run from outside against a deployed app). Filled in by later work."""

__all__: list[str] = []
