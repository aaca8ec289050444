"""CSRF protection tied to Sentinel sessions: origin checks and synchronizer tokens (``docs/csrf.md``)."""

from sentinel.csrf.errors import CSRFError, CSRFNotInstalled
from sentinel.csrf.middleware import (
    CONTEXT_KEY,
    CSRFMiddleware,
    body_too_large,
    csrf_problem,
    csrf_token,
    csrf_token_endpoint,
)
from sentinel.csrf.origin import OriginCheck, normalize_origin, own_origin
from sentinel.csrf.presession import PreSessionCookie
from sentinel.csrf.settings import DEFAULT_MAX_BODY, SAFE_METHODS, CSRFMode, CSRFSettings
from sentinel.csrf.tokens import SEED_KEY, TOKEN_LENGTH, TokenSigner

__all__ = [
    "CONTEXT_KEY",
    "DEFAULT_MAX_BODY",
    "SAFE_METHODS",
    "SEED_KEY",
    "TOKEN_LENGTH",
    "CSRFError",
    "CSRFMiddleware",
    "CSRFMode",
    "CSRFNotInstalled",
    "CSRFSettings",
    "OriginCheck",
    "PreSessionCookie",
    "TokenSigner",
    "body_too_large",
    "csrf_problem",
    "csrf_token",
    "csrf_token_endpoint",
    "normalize_origin",
    "own_origin",
]
