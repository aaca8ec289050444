"""What login code calls: ``login``, ``rotate_session``, ``logout`` and ``revoke_user_sessions``.

Each takes the request (anything with a ``scope``, such as a Starlette ``Request`` or
``WebSocket``) so it reaches the session the middleware opened, and with it the right store.
"""

from __future__ import annotations

from typing import Protocol

from sentinel.errors import SentinelError
from sentinel.sessions.session import Session
from sentinel.sessions.store import SessionStore
from sentinel.types import Scope


class HasScope(Protocol):
    @property
    def scope(self) -> Scope: ...


class NoSessionError(SentinelError, RuntimeError):
    """The request has no Sentinel session: is ``SessionMiddleware`` installed?"""


def get_session(request: HasScope) -> Session:
    """The request's :class:`~sentinel.sessions.session.Session`."""
    session = request.scope.get("session")
    if not isinstance(session, Session):
        raise NoSessionError("no Sentinel session on this request: add sentinel.SessionMiddleware to the app")
    return session


async def login(request: HasScope, user_id: str | int) -> None:
    """Bind the session to ``user_id`` under a fresh ID (defeats fixation); the old ID dies now.

    The data is carried over, and the user ID and authentication time are recorded server-side.
    """
    session = get_session(request)
    await session.manager.login(session, str(user_id), request.scope)


async def rotate_session(request: HasScope) -> bool:
    """Move the session to a fresh ID without changing who is logged in (e.g. on privilege change).

    Returns ``False`` when there was no stored session to rotate."""
    session = get_session(request)
    return await session.manager.rotate(session, request.scope)


async def logout(request: HasScope) -> None:
    """Destroy the session server-side now and expire its cookie."""
    session = get_session(request)
    await session.manager.logout(session, request.scope)


async def revoke_user_sessions(target: HasScope | SessionStore, user_id: str | int) -> int:
    """End every session of ``user_id`` (after a password change, say). Returns how many ended.

    ``target`` is a request (its middleware's store is used) or a store, for jobs outside a request.
    If the request's own session belongs to the user, its cookie is expired too.
    """
    uid = str(user_id)
    if isinstance(target, SessionStore):
        return await target.delete_user(uid)
    session = get_session(target)
    count = await session.manager.store.delete_user(uid)
    if session.user_id == uid:
        session.manager.forget(session)
    return count


__all__ = [
    "NoSessionError",
    "get_session",
    "login",
    "logout",
    "revoke_user_sessions",
    "rotate_session",
]
