"""One login call that does every step in the right order.

``Authenticator.login(request, username, password)`` runs:

1. the user lookup, the same query for every attempt;
2. the rate-limit check, charged to the account the lookup resolved (its user ID), so every spelling
   the database folds to one row shares that row's budget, and to the typed spelling's own budget
   (all a name that resolves to no one has). A refused attempt never reaches the password hasher;
3. ``averify_and_update`` off the event loop, or, for an unknown user, a dummy verify of the same
   cost, so timing does not reveal who has an account;
4. if the stored hash is legacy, wrapped or outdated, a compare-and-swap save of the new hash
   (a concurrent password change wins);
5. a second lookup: if the password changed while it was being verified, the attempt fails (an old
   password must not open a session after a password change and its session revocation);
6. :func:`sentinel.login`, which rotates the session ID;
7. the limiter's bookkeeping and a security event.

A failed attempt gets the same result, whether the user exists or not.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from sentinel.events import security_event
from sentinel.passwords import (
    HasherBusy,
    HashingFailed,
    InvalidPassword,
    PasswordHasher,
    UnknownHashFormat,
    UnknownPepperKey,
)
from sentinel.passwords.errors import MissingSalt
from sentinel.problem import Problem
from sentinel.ratelimit import AuthLimiter, Decision, too_many_attempts
from sentinel.sessions import login as session_login
from sentinel.sessions.api import HasScope
from sentinel.types import Scope


@dataclass(frozen=True, kw_only=True)
class Credentials:
    """What the app's user table holds for one account."""

    user_id: str
    password_hash: str
    #: The separate salt column, for bare-hex legacy recipes that keep it apart.
    salt: str | None = None


#: ``username -> Credentials | None``: the app's user lookup.
LookupUser = Callable[[str], Awaitable[Credentials | None]]
#: ``(user_id, old_hash, new_hash) -> bool``: save ``new_hash`` only if the row still holds
#: ``old_hash`` (compare-and-swap); ``False`` when it did not.
SaveHash = Callable[[str, str, str], Awaitable[bool]]


class Outcome(Enum):
    SUCCESS = "success"
    INVALID = "invalid"  # wrong password or no such user: indistinguishable on purpose
    RATE_LIMITED = "rate-limited"
    UNAVAILABLE = "unavailable"  # the hasher is saturated: try again shortly


INVALID_CREDENTIALS = Problem(
    status=401,
    slug="invalid-credentials",
    title="Invalid credentials",
    detail="The username or password is not correct.",
)


@dataclass(frozen=True, kw_only=True)
class LoginResult:
    outcome: Outcome
    user_id: str | None = None
    #: The stored hash was upgraded to a direct argon2id hash during this login.
    rehashed: bool = False
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    def problem(self) -> Problem:
        """The problem+json answer for a refusal (401, 429 or 503)."""
        if self.outcome is Outcome.RATE_LIMITED:
            return too_many_attempts(self.retry_after)
        if self.outcome is Outcome.UNAVAILABLE:
            return Problem(
                status=503,
                slug="login-busy",
                title="Sign-in temporarily unavailable",
                detail="Too many sign-ins are being checked right now; retry shortly.",
                retry_after=self.retry_after,
            )
        if self.outcome is Outcome.INVALID:
            return INVALID_CREDENTIALS
        raise ValueError("a successful login has no problem answer")


class Authenticator:
    """Rate limit, verify, rehash, rotate the session, record: the login flow in one call."""

    def __init__(
        self,
        *,
        hasher: PasswordHasher,
        limiter: AuthLimiter,
        lookup: LookupUser,
        save_hash: SaveHash,
    ) -> None:
        self.hasher = hasher
        self.limiter = limiter
        self._lookup = lookup
        self._save_hash = save_hash

    async def login(self, request: HasScope, username: str, password: str) -> LoginResult:
        """Authenticate ``username`` and, on success, log the request's session in."""
        scope = request.scope
        # The lookup comes first so the budget is the resolved account's, not the spelling's. It
        # runs for refused attempts too, known or unknown alike: one indexed query, never a hash.
        credentials = await self._lookup(username)
        user_id = None if credentials is None else credentials.user_id
        decision = await self.limiter.check(account=username, scope=scope, user_id=user_id)
        if not decision.allowed:
            return LoginResult(outcome=Outcome.RATE_LIMITED, retry_after=decision.retry_after_seconds)
        try:
            ok, new_hash = await self._verify(credentials, password)
        except (HasherBusy, HashingFailed) as exc:
            retry = exc.retry_after if isinstance(exc, HasherBusy) else 1
            security_event("auth.hasher_busy", outcome="refused", scope=scope, error=type(exc).__name__)
            return LoginResult(outcome=Outcome.UNAVAILABLE, retry_after=retry)
        except (UnknownHashFormat, UnknownPepperKey, MissingSalt) as exc:
            # A data or configuration fault an operator must fix. The client gets the same answer
            # as for a wrong password (a 500 here would tell who has an account), and it counts.
            security_event(
                "auth.stored_hash_unusable", outcome="refused", level=logging.ERROR, scope=scope,
                error=type(exc).__name__,
            )  # fmt: skip
            return await self._failed(decision, scope)
        if not ok or credentials is None:
            return await self._failed(decision, scope)
        current_hash = credentials.password_hash
        if new_hash is not None and await self._upgrade(credentials, new_hash, scope):
            current_hash = new_hash
        if not await self._still_current(username, credentials.user_id, current_hash):
            # The password changed while it was being verified: the old one must not open a session
            # after a password change (and the revocation that usually comes with it).
            security_event(
                "auth.credentials_changed", outcome="refused", scope=scope, user_id=credentials.user_id
            )
            return await self._failed(decision, scope)
        await session_login(request, credentials.user_id)
        await self.limiter.record_success(decision)
        rehashed = new_hash is not None and current_hash == new_hash
        security_event(
            "auth.login", outcome="succeeded", level=logging.INFO, scope=scope,
            user_id=credentials.user_id, rehashed=rehashed,
        )  # fmt: skip
        return LoginResult(outcome=Outcome.SUCCESS, user_id=credentials.user_id, rehashed=rehashed)

    async def _still_current(self, username: str, user_id: str, expected_hash: str) -> bool:
        """The row still holds the hash that was just verified (or the one we just saved)."""
        current = await self._lookup(username)
        return (
            current is not None
            and current.user_id == user_id
            and hmac.compare_digest(current.password_hash.encode(), expected_hash.encode())
        )

    async def _verify(self, credentials: Credentials | None, password: str) -> tuple[bool, str | None]:
        try:
            if credentials is None:
                await self.hasher.adummy_verify(password)
                return False, None
            return await self.hasher.averify_and_update(
                credentials.password_hash, password, salt=credentials.salt
            )
        except InvalidPassword:
            return False, None  # too long or malformed: a failed attempt like any other

    async def _failed(self, decision: Decision, scope: Scope) -> LoginResult:
        # INFO, not WARNING: one mistyped password is not an attack; the limiter logs lockouts.
        lockout = await self.limiter.record_failure(decision, scope=scope)
        security_event(
            "auth.login_failed", outcome="refused", level=logging.INFO, scope=scope, lockout_s=lockout
        )
        return LoginResult(outcome=Outcome.INVALID)

    async def _upgrade(self, credentials: Credentials, new_hash: str, scope: Scope) -> bool:
        saved = await self._save_hash(credentials.user_id, credentials.password_hash, new_hash)
        security_event(
            "auth.rehash", outcome="saved" if saved else "changed concurrently", level=logging.INFO,
            scope=scope, user_id=credentials.user_id,
        )  # fmt: skip
        return saved


__all__ = [
    "INVALID_CREDENTIALS",
    "Authenticator",
    "Credentials",
    "LoginResult",
    "LookupUser",
    "Outcome",
    "SaveHash",
]
