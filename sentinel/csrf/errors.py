"""CSRF errors.

The tree::

    SentinelError
    └── CSRFError              base of this package's errors; never raised directly
        └── CSRFNotInstalled   csrf_token() called on a request CSRFMiddleware did not see

A refused request is not an exception: the middleware answers it 403 problem+json itself. Bad
settings raise :class:`~sentinel.errors.ConfigurationError` at construction.
"""

from __future__ import annotations

from sentinel.errors import SentinelError


class CSRFError(SentinelError):
    """Base of the CSRF errors; never raised directly."""


class CSRFNotInstalled(CSRFError, RuntimeError):
    """No CSRF context on this request: add ``CSRFMiddleware`` inside ``SessionMiddleware``."""


__all__ = ["CSRFError", "CSRFNotInstalled"]
