"""Fixtures for the hostile/e2e tests: a headless Chromium (``tests/support/chromium.py``)."""

from tests.support.chromium import browser

__all__ = ["browser"]
