"""Strict, cookie-only, server-side sessions (see ``docs/sessions.md``)."""

from sentinel.sessions.api import (
    NoSessionError,
    get_session,
    login,
    logout,
    revoke_user_sessions,
    rotate_session,
)
from sentinel.sessions.budget import DEFAULT_NEW_SESSION_RATE, NewSessionBudget, TooManyNewSessions
from sentinel.sessions.config import (
    COMMON_SESSION_PARAMS,
    SentinelUnsafeWarning,
    SessionSettings,
)
from sentinel.sessions.ids import session_hash
from sentinel.sessions.memory import MemoryStore
from sentinel.sessions.middleware import SessionMiddleware
from sentinel.sessions.record import SessionDataError
from sentinel.sessions.redis_store import RedisStore
from sentinel.sessions.session import Session
from sentinel.sessions.store import SessionStore

__all__ = [
    "COMMON_SESSION_PARAMS",
    "DEFAULT_NEW_SESSION_RATE",
    "MemoryStore",
    "NewSessionBudget",
    "NoSessionError",
    "RedisStore",
    "SentinelUnsafeWarning",
    "Session",
    "SessionDataError",
    "SessionMiddleware",
    "SessionSettings",
    "SessionStore",
    "TooManyNewSessions",
    "get_session",
    "login",
    "logout",
    "revoke_user_sessions",
    "rotate_session",
    "session_hash",
]
