"""The session lifecycle: open from a cookie, commit at response start, login, rotate, logout.

All decisions about identity live here, so the rules read in one place:

- an ID is adopted only if its cookie is authentic *and* the store holds a live record for it;
  anything else (forged, malformed, unknown, expired) is never adopted and its cookie is cleared;
- a new session gets a server-minted ID, and only when the app first writes to it or logs in;
  each new record is first charged to its client's budget (:mod:`sentinel.sessions.budget`);
- existing records are saved update-only, so a request in flight cannot resurrect a session that a
  logout or a rotation ended meanwhile;
- idle and absolute timeouts are checked against server-side timestamps, never the cookie.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sentinel.events import security_event
from sentinel.sessions.budget import NewSessionBudget, TooManyNewSessions, too_many_new_sessions
from sentinel.sessions.config import SessionSettings
from sentinel.sessions.cookies import CookieReader
from sentinel.sessions.ids import CookieSigner, new_session_id, session_hash, store_key
from sentinel.sessions.record import Meta, RecordError, dump_data, dump_record, load_record
from sentinel.sessions.session import CookieAction, Session
from sentinel.sessions.store import TOMBSTONE, SessionStore
from sentinel.types import Scope

_CLEAR_SUFFIX = "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
_MAX_CREATE_ATTEMPTS = 3


class SessionManager:
    """Owns one app's store, signer, settings and clock; the middleware and the API call into it."""

    def __init__(
        self,
        settings: SessionSettings,
        store: SessionStore,
        signer: CookieSigner,
        *,
        clock: Callable[[], float] = time.time,
        budget: NewSessionBudget | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.signer = signer
        self.clock = clock
        #: Charged once per new record; ``None`` charges nothing (tests, or a proxy that limits).
        self.budget = budget
        self._cookie_name = settings.cookie_name
        self._cookies = CookieReader(self._cookie_name)
        attributes = settings.cookie_attributes()
        if settings.max_age is not None:
            attributes += f"; Max-Age={settings.max_age}"
        self._set_suffix = "; " + attributes
        self._clear_value = f"{self._cookie_name}=; {settings.cookie_attributes()}{_CLEAR_SUFFIX}"

    # -- reading -----------------------------------------------------------------------------
    def _ttl(self, meta: Meta, now: float) -> float:
        """Seconds this record may live from ``now``: 0 or less means expired."""
        s = self.settings
        idle_left = s.idle_timeout - (now - meta.last_seen)
        absolute_left = s.absolute_timeout - (now - meta.created)
        return min(idle_left, absolute_left)

    async def open(self, scope: Scope) -> Session:
        """The request's session: adopted from an authentic, live cookie, or new and empty."""
        values = self._cookies.values(scope)
        if not values:
            return Session(self)
        if len(values) > 1:
            # Two cookies of our name means one was tossed in by a sibling domain or another path.
            security_event("session.duplicate_cookie", outcome="not adopted", scope=scope)
            return Session(self)
        session_id = self.signer.unsign(values[0])
        if session_id is None:
            security_event("session.forged_cookie", outcome="refused", scope=scope)
            return Session(self, cookie_action=CookieAction.CLEAR)
        key = store_key(session_id)
        raw = await self.store.load(key)
        if raw == TOMBSTONE:
            # Rotated moments ago by a concurrent request: not adopted, and *detached*: this response
            # neither clears nor replaces the cookie, so it cannot log the browser out of its new one.
            return Session(self, detached=True)
        if raw is None:
            return self._refuse(scope, session_id, "session.unknown_id", "not adopted")
        try:
            meta, data_json, data = load_record(raw)
        except RecordError:
            await self.store.delete(key, user_id=None)
            return self._refuse(scope, session_id, "session.corrupt_record", "discarded", logging.WARNING)
        if self._ttl(meta, self.clock()) <= 0:
            await self.store.delete(key, user_id=meta.user_id)
            return self._refuse(scope, session_id, "session.expired", "ended")
        return Session(self, session_id=session_id, key=key, meta=meta, data=data, data_json=data_json)

    def _refuse(
        self, scope: Scope, session_id: str, event: str, outcome: str, level: int = logging.INFO
    ) -> Session:
        """A fresh session whose response clears the cookie that named ``session_id``."""
        security_event(event, outcome=outcome, level=level, scope=scope, session=session_hash(session_id))
        return Session(self, cookie_action=CookieAction.CLEAR)

    # -- writing -----------------------------------------------------------------------------
    async def _create(self, session: Session, meta: Meta, data_json: str, scope: Scope | None) -> None:
        if self.budget is not None:
            try:
                await self.budget.charge(scope)
            except TooManyNewSessions as exc:
                # Remembered on the session, so the middleware answers 429 even when a framework
                # turns the exception into its own 500 on the way out.
                session.refusal = too_many_new_sessions(exc.retry_after)
                raise
        record = dump_record(meta, data_json)
        for _ in range(_MAX_CREATE_ATTEMPTS):
            session_id = new_session_id()
            if await self.store.create(
                store_key(session_id),
                record,
                ttl=self._ttl(meta, meta.last_seen),
                user_id=meta.user_id,
            ):
                self._adopt(session, session_id, meta, data_json)
                return
        raise RuntimeError("could not mint an unused session ID")  # 2**-256 per attempt

    def _adopt(self, session: Session, session_id: str, meta: Meta, data_json: str) -> None:
        session.session_id = session_id
        session.key = store_key(session_id)
        session.meta = meta
        session.data_json = data_json
        session.cookie_action = CookieAction.SET
        session.modified = False
        session.detached = False

    async def commit(self, session: Session, scope: Scope | None = None) -> str | None:
        """Persist what the request changed; return the Set-Cookie value to send, if any."""
        if session.session_id is None:
            if session.modified and session.data() and not session.detached:
                now = self.clock()
                meta = Meta(created=now, last_seen=now)
                await self._create(session, meta, dump_data(session.data()), scope)
        elif session.key is not None and session.meta is not None:
            await self._save(session, session.key, session.meta)
        return self._set_cookie(session)

    async def _save(self, session: Session, key: str, meta: Meta) -> None:
        """Update-only write when the data changed or the idle refresh is due; else nothing."""
        now = self.clock()
        stale = now - meta.last_seen >= self.settings.refresh_after
        if not (stale or session.accessed or session.modified):
            return
        data_json = dump_data(session.data())
        if data_json == session.data_json and not stale:
            return
        meta.last_seen = now
        updated = await self.store.update(
            key,
            dump_record(meta, data_json),
            ttl=self._ttl(meta, now),
            user_id=meta.user_id,
        )
        if updated:
            session.data_json = data_json
        # Not updated: logged out, revoked or rotated meanwhile. Saving nothing is the point; the
        # cookie is left alone because the browser may already hold the new one.

    def _set_cookie(self, session: Session) -> str | None:
        if session.cookie_action is CookieAction.SET and session.session_id is not None:
            return f"{self._cookie_name}={self.signer.sign(session.session_id)}{self._set_suffix}"
        if session.cookie_action is CookieAction.CLEAR:
            return self._clear_value
        return None

    # -- identity changes --------------------------------------------------------------------
    async def login(self, session: Session, user_id: str, scope: Scope | None = None) -> None:
        """Rotate to a fresh ID bound to ``user_id``; carry the data; end the old record at once."""
        now = self.clock()
        if session.user_id is not None and session.user_id != user_id:
            # Another user's data (an "MFA passed" flag, a cart) must not pass to this one.
            session.data().clear()
        meta = Meta(created=now, last_seen=now, user_id=user_id, auth_time=now)
        rotated = await self._replace(session, meta, dump_data(session.data()), scope)
        if not rotated:
            # The old session ended concurrently (logout, revocation): start clean, carry nothing.
            session.data().clear()
            await self._create(session, meta, "{}", scope)
        security_event(
            "session.login",
            outcome="rotated",
            level=logging.INFO,
            scope=scope,
            session=session_hash(session.session_id or ""),
            user_id=user_id,
        )

    async def rotate(self, session: Session, scope: Scope | None = None) -> bool:
        """Give the session a fresh ID, keeping user, data and absolute deadline. ``False`` if
        there was nothing to rotate or it ended meanwhile."""
        if session.session_id is None or session.meta is None:
            return False
        old = session.meta
        meta = Meta(created=old.created, last_seen=self.clock(), user_id=old.user_id, auth_time=old.auth_time)
        rotated = await self._replace(session, meta, dump_data(session.data()), scope)
        if rotated:
            security_event(
                "session.rotated",
                outcome="rotated",
                level=logging.INFO,
                scope=scope,
                session=session_hash(session.session_id or ""),
            )
        return rotated

    async def _replace(self, session: Session, meta: Meta, data_json: str, scope: Scope | None) -> bool:
        """Move the session to a new ID atomically (or create it if it had no record yet)."""
        old_key, old_meta = session.key, session.meta
        if old_key is None or old_meta is None:
            await self._create(session, meta, data_json, scope)
            return True
        for _ in range(_MAX_CREATE_ATTEMPTS):
            new_id = new_session_id()
            if await self.store.rotate(
                old_key,
                store_key(new_id),
                dump_record(meta, data_json),
                ttl=self._ttl(meta, meta.last_seen),
                old_user_id=old_meta.user_id,
                user_id=meta.user_id,
                grace=self.settings.rotation_grace,
            ):
                self._adopt(session, new_id, meta, data_json)
                return True
            if await self.store.load(old_key) in (None, TOMBSTONE):  # ended meanwhile
                return False
        raise RuntimeError("could not mint an unused session ID")

    async def logout(self, session: Session, scope: Scope | None = None) -> None:
        """Destroy the record server-side now, empty the data, and expire the cookie."""
        if session.key is not None and session.session_id is not None:
            await self.store.delete(session.key, user_id=session.user_id)
            security_event(
                "session.logout",
                outcome="destroyed",
                level=logging.INFO,
                scope=scope,
                session=session_hash(session.session_id),
                user_id=session.user_id,
            )
        self.forget(session)

    def forget(self, session: Session) -> None:
        """Drop the request's hold on its session (already gone server-side)."""
        session.data().clear()
        session.session_id = None
        session.key = None
        session.meta = None
        session.data_json = None
        session.modified = False
        session.cookie_action = CookieAction.CLEAR


__all__ = ["SessionManager"]
