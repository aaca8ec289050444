"""Security headers: HSTS, CSP with per-response nonces, framing, sniffing, referrer and isolation
policies, as named presets (``docs/headers.md``)."""

from sentinel.headers.errors import HeadersError, NonceUnavailable
from sentinel.headers.middleware import SecurityHeadersMiddleware, csp_template, static_headers, without_nonce
from sentinel.headers.nonce import NONCE_SCOPE_KEY, CSPNonce, csp_nonce
from sentinel.headers.policy import (
    BASIC,
    HSTS,
    MANAGED,
    ONE_YEAR,
    PRESETS,
    STRICT,
    FrameOptions,
    HeaderPolicy,
    parse_csp,
    policy_from_env,
)

__all__ = [
    "BASIC",
    "HSTS",
    "MANAGED",
    "NONCE_SCOPE_KEY",
    "ONE_YEAR",
    "PRESETS",
    "STRICT",
    "CSPNonce",
    "FrameOptions",
    "HeaderPolicy",
    "HeadersError",
    "NonceUnavailable",
    "SecurityHeadersMiddleware",
    "csp_nonce",
    "csp_template",
    "parse_csp",
    "policy_from_env",
    "static_headers",
    "without_nonce",
]
