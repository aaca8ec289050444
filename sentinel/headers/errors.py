"""Security-header errors.

The tree::

    SentinelError
    └── HeadersError           base of this package's errors; never raised directly
        └── NonceUnavailable   csp_nonce() called on a request SecurityHeadersMiddleware did not see

Bad policies raise :class:`~sentinel.errors.ConfigurationError` at construction, as everywhere.
"""

from __future__ import annotations

from sentinel.errors import SentinelError


class HeadersError(SentinelError):
    """Base of the security-header errors; never raised directly."""


class NonceUnavailable(HeadersError, RuntimeError):
    """No CSP nonce on this request: is ``SecurityHeadersMiddleware`` installed around the app?"""


__all__ = ["HeadersError", "NonceUnavailable"]
