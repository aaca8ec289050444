"""``request.session``: a mutable mapping that knows where it came from.

The mapping is what the app sees. The rest (its ID, server-side metadata, and what the response must
do with the cookie) is bookkeeping for :mod:`sentinel.sessions.manager`, which alone decides what is
written. Apps change a session's identity only through :func:`sentinel.login`,
:func:`sentinel.rotate_session` and :func:`sentinel.logout`.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from enum import Enum
from typing import TYPE_CHECKING, Any

from sentinel.problem import Problem
from sentinel.sessions.record import Meta

if TYPE_CHECKING:
    from sentinel.sessions.manager import SessionManager


class CookieAction(Enum):
    """What the response must do with the session cookie."""

    NONE = "none"
    SET = "set"  # a new ID was minted (creation or rotation)
    CLEAR = "clear"  # logout, or a stale, forged or expired cookie


class Session(MutableMapping[str, Any]):
    """The session data of one request, plus what the middleware needs to persist it."""

    __slots__ = (
        "_data",
        "accessed",
        "cookie_action",
        "data_json",
        "detached",
        "key",
        "manager",
        "meta",
        "modified",
        "refusal",
        "session_id",
    )

    def __init__(
        self,
        manager: SessionManager,
        *,
        session_id: str | None = None,
        key: str | None = None,
        meta: Meta | None = None,
        data: dict[str, Any] | None = None,
        data_json: str | None = None,
        cookie_action: CookieAction = CookieAction.NONE,
        detached: bool = False,
    ) -> None:
        self.manager = manager
        self.session_id = session_id
        #: The store key (a hash of ``session_id``), computed once per request.
        self.key = key
        self.meta = meta
        self._data: dict[str, Any] = {} if data is None else data
        self.data_json = data_json
        self.cookie_action = cookie_action
        self.accessed = False
        self.modified = False
        #: Opened from a just-rotated ID: writes are not saved and the cookie is left alone, so a
        #: request racing a login cannot replace the browser's new cookie (``login()`` still works).
        self.detached = detached
        #: Set when this request may not create a session (its client's budget is spent): the
        #: middleware answers with this problem instead of the app's response.
        self.refusal: Problem | None = None

    # Starlette calls this from ``request.session`` (it adds ``Vary: Cookie`` for its own sessions).
    def mark_accessed(self) -> None:
        self.accessed = True

    @property
    def is_new(self) -> bool:
        """No record exists for this session yet."""
        return self.session_id is None

    @property
    def user_id(self) -> str | None:
        """The authenticated user, set by :func:`sentinel.login`; ``None`` when anonymous."""
        return None if self.meta is None else self.meta.user_id

    @property
    def auth_time(self) -> float | None:
        """When the user last authenticated (epoch seconds), for step-up checks."""
        return None if self.meta is None else self.meta.auth_time

    def data(self) -> dict[str, Any]:
        """The underlying dict (for the manager; apps use the mapping interface)."""
        return self._data

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.accessed = self.modified = True
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        self.accessed = self.modified = True
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        self.accessed = True
        return iter(self._data)

    def __len__(self) -> int:
        self.accessed = True
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return key in self._data

    def __repr__(self) -> str:
        # Never print the ID; the data is the app's own.
        return f"Session(user_id={self.user_id!r}, keys={sorted(self._data)!r})"


__all__ = ["CookieAction", "Session"]
