"""Active checks with the user's session: every probe starts from the same logged-in state.

When a login is configured and verified, the runner keeps a snapshot of a logged-in client (its
cookies and its bearer token, if the login returned one). Each active request is sent from a copy
of that snapshot, so

- forms behind the login are reached as the user reaches them;
- a cookie set by one payload's answer cannot change the next answer (the copy is thrown away);
- a lost session (a payload that logs out, an expiry) is noticed by asking the logged-in oracle
  every :data:`CHECK_EVERY` endpoints, and the scanner logs in again.

Before each unsafe probe (POST, PUT, PATCH, DELETE) a fresh anti-CSRF token is taken, as ZAP's
anti-CSRF handling does: the form's page is fetched with the session and its hidden token fields
replace the recorded ones; a ``<meta name="csrf-token">`` becomes an ``X-CSRF-Token`` header, and a
``XSRF-TOKEN``/``csrftoken`` cookie is echoed as the header its framework expects (cookie-to-header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from scanner.auth.profile import SessionProfile, ensure_logged_in
from scanner.discovery.endpoints import Endpoint
from scanner.discovery.html import parse_html
from scanner.errors import RequestFailed
from scanner.http.cookies import CookieJar
from scanner.http.exchange import RequestSpec
from scanner.http.probe import SAFE_METHODS, ProbeClient

if TYPE_CHECKING:
    from scanner.context import ScanContext

MEMO_KEY = "active-session"
#: Endpoints between two checks that the session is still logged in.
CHECK_EVERY = 15
CSRF_FIELD = re.compile(r"csrf|xsrf|authenticity|_token$|^token$|nonce", re.I)
_META = re.compile(
    r"<meta[^>]+name=[\"'](?:csrf[-_]?token|_csrf|xsrf[-_]?token)[\"'][^>]*content=[\"']([^\"']+)", re.I
)
#: Cookie-to-header pairs of common frameworks (Angular, Django, Laravel, Rails-UJS style).
COOKIE_TO_HEADER = (
    ("XSRF-TOKEN", "X-XSRF-TOKEN"),
    ("csrftoken", "X-CSRFToken"),
    ("csrf_token", "X-CSRF-Token"),
)


@dataclass(kw_only=True)
class ActiveSession:
    """The logged-in state active probes start from."""

    profile: SessionProfile
    jar: CookieJar
    headers: list[tuple[str, str]]
    endpoints_seen: int = 0

    def load(self, client: ProbeClient) -> None:
        """Put a fresh copy of the session into ``client`` (its own cookies are discarded)."""
        client.jar = self.jar.copy()
        client.auth_headers = list(self.headers)


def active_session(ctx: ScanContext) -> ActiveSession | None:
    found = ctx.memo.get(MEMO_KEY)
    return found if isinstance(found, ActiveSession) else None


def remember(ctx: ScanContext, profile: SessionProfile, client: ProbeClient) -> None:
    """Keep ``client``'s logged-in state for the active checks."""
    ctx.memo[MEMO_KEY] = ActiveSession(
        profile=profile, jar=client.jar.copy(), headers=list(client.auth_headers)
    )


async def keep_alive(ctx: ScanContext, *, now: bool = False) -> None:
    """Every :data:`CHECK_EVERY` endpoints (or ``now``: at the start of each active check, since the
    session checks before them log in and out), ask the oracle; log in again if the session was lost."""
    session = active_session(ctx)
    if session is None:
        return
    session.endpoints_seen += 1
    if session.endpoints_seen % CHECK_EVERY and not now:
        return
    async with ctx.engine.probe("active-session") as client:
        session.load(client)
        try:
            alive = await ensure_logged_in(session.profile, client)
        except RequestFailed:
            return
        if alive:
            session.jar, session.headers = client.jar.copy(), list(client.auth_headers)
        else:
            ctx.engine.note("the session was lost during the active checks and a new login failed")
            del ctx.memo[MEMO_KEY]


async def fresh_csrf(client: ProbeClient, endpoint: Endpoint, spec: RequestSpec) -> RequestSpec:
    """``spec`` with a fresh anti-CSRF token (see the module docstring); unchanged for safe methods."""
    if spec.method.upper() in SAFE_METHODS:
        return spec
    headers = list(spec.headers)
    for cookie, header in COOKIE_TO_HEADER:
        value = client.jar.get(cookie)
        if value and not any(k.lower() == header.lower() for k, _ in headers):
            headers.append((header, value))
    form = spec.form or ()
    token_fields = {name for name, _ in form if CSRF_FIELD.search(name)}
    if endpoint.page is None or not token_fields:
        return replace(spec, headers=tuple(headers))
    try:
        page = await client.get(endpoint.page, follow_redirects=True)
    except RequestFailed:
        return replace(spec, headers=tuple(headers))
    fresh: dict[str, str] = {}
    for found in parse_html(page.text).forms if page.is_html else []:
        hidden = {f.name: f.value for f in found.fields if f.name in token_fields and f.value}
        if hidden and client.engine.scope.resolve(found.action or page.url, page.url) == spec.url:
            fresh = hidden
            break
        fresh = fresh or hidden
    meta = _META.search(page.text)
    if meta and not any(k.lower() == "x-csrf-token" for k, _ in headers):
        headers.append(("X-CSRF-Token", meta.group(1)))
    updated = tuple((name, fresh.get(name, value)) for name, value in form)
    return replace(spec, form=updated, headers=tuple(headers))


__all__ = [
    "CHECK_EVERY",
    "COOKIE_TO_HEADER",
    "CSRF_FIELD",
    "MEMO_KEY",
    "ActiveSession",
    "active_session",
    "fresh_csrf",
    "keep_alive",
    "remember",
]
