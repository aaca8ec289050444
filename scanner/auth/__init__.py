"""Logging in: form or JSON submission, the logged-in oracle, and the session profile."""

from scanner.auth.flow import REFUSED_STATUSES, LoginFlow, Submission, pick_form
from scanner.auth.oracle import AuthOracle, find_oracle
from scanner.auth.profile import SessionProfile, ensure_logged_in, establish, login_as_user, strip_values

__all__ = [
    "REFUSED_STATUSES",
    "AuthOracle",
    "LoginFlow",
    "SessionProfile",
    "Submission",
    "ensure_logged_in",
    "establish",
    "find_oracle",
    "login_as_user",
    "pick_form",
    "strip_values",
]
