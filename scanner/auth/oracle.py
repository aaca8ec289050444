"""The authentication oracle: one request whose answer tells a logged-in session from an anonymous one.

Every session check asks it the same question ("does *this* ID authenticate?"), so fixation, adoption,
logout and URL-session findings are *confirmed* by observation, never inferred from cookie churn. It
is found by comparing, for candidate pages, the answer with the session and without it:

- a different status: ``/me`` answers 200 vs 401, or a members' page answers 200 to the session and
  redirects anonymous visitors to the login page;
- a different redirect: ``/`` sends the session to ``/home`` and anonymous visitors to ``/login``;
- content only the session sees: the username, a logout control, or a display name ("Super Admin"
  for ``superadmin``) found by diffing the two pages' visible text. A marker from the diff must hold
  on a second pair of requests, so a clock or a counter on the page is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.discovery.filters import is_logout
from scanner.discovery.html import parse_html
from scanner.errors import RequestFailed
from scanner.http.exchange import Exchange
from scanner.http.probe import ProbeClient

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.I | re.S)
_RANDOMISH = re.compile(r"[0-9a-f]{8,}|\d{4,}", re.I)
_MARKER_LENGTH = (3, 80)


@dataclass(frozen=True, kw_only=True)
class AuthOracle:
    url: str
    authed_status: int
    #: Text shown only to the logged-in session, when status alone does not tell them apart.
    marker: str | None = None
    #: Where a logged-in session is redirected, when the page redirects both kinds of visitor.
    location: str | None = None
    #: What the marker is ("the username", "a logout control", "text only the session sees").
    why: str = ""

    def judge(self, exchange: Exchange) -> bool:
        if exchange.status != self.authed_status:
            return False
        if self.location is not None and exchange.location != self.location:
            return False
        return self.marker is None or self.marker in exchange.text

    async def check(self, probe: ProbeClient) -> tuple[bool, Exchange]:
        """Ask with ``probe``'s cookies (no redirects followed: a redirect to /login is an answer)."""
        exchange = await probe.get(self.url)
        return self.judge(exchange), exchange

    def describe(self) -> str:
        how = f"HTTP {self.authed_status}"
        if self.location is not None:
            how += f" redirecting to {self.location}"
        if self.marker is not None:
            how += f" showing {self.why or 'the username'}"
        return f"GET {self.url} answers {how} only to a logged-in session"


def visible_text(html: str) -> list[str]:
    """A page's visible text, one stripped segment per run between tags."""
    return [seg for seg in (" ".join(part.split()) for part in _TAG.split(html) if part) if seg]


def session_only(authed: Exchange, anonymous: Exchange, username: str | None) -> tuple[str, str] | None:
    """Text in the logged-in page that the anonymous one lacks, and what it is; ``None`` if none."""
    mine, theirs = authed.text, anonymous.text
    if username and len(username) >= 3 and username in mine and username not in theirs:
        return username, "the username"
    if authed.is_html:
        for href, text in parse_html(mine).links:
            if is_logout(href, text) and href and href not in theirs:
                return href, "a logout control"
    low, high = _MARKER_LENGTH
    anonymous_text = set(visible_text(theirs)) if anonymous.is_html else set()
    for segment in visible_text(mine) if authed.is_html else []:
        if (
            low <= len(segment) <= high
            and segment not in anonymous_text
            and segment not in theirs
            and not _RANDOMISH.search(segment)
            and any(ch.isalpha() for ch in segment)
        ):
            return segment, "text only the session sees"
    return None


async def find_oracle(
    authed: ProbeClient,
    anonymous: ProbeClient,
    candidates: list[str],
    username: str | None,
    *,
    seen: Exchange | None = None,
) -> AuthOracle | None:
    """The first candidate page that answers the two probes differently (and stably). ``seen`` is a
    logged-in answer already in hand (the page the login landed on): not asked for twice."""
    for url in candidates:
        try:
            known = seen if seen is not None and seen.url == url else None
            oracle = await _compare(authed, anonymous, url, username, known)
        except RequestFailed:
            continue
        if oracle is not None:
            return oracle
    return None


async def _compare(
    authed: ProbeClient, anonymous: ProbeClient, url: str, username: str | None, known: Exchange | None
) -> AuthOracle | None:
    with_session = known or await authed.get(url)
    without = await anonymous.get(url)
    status = with_session.status
    if 300 <= status < 400:
        if without.status == status and with_session.location and without.location != with_session.location:
            return AuthOracle(url=url, authed_status=status, location=with_session.location)
        return None
    if not 200 <= status < 300:
        return None
    if without.status != status:
        return AuthOracle(url=url, authed_status=status)
    found = session_only(with_session, without, username)
    if found is None:
        return None
    marker, why = found
    again, anonymous_again = await authed.get(url), await anonymous.get(url)
    if marker in again.text and marker not in anonymous_again.text:
        return AuthOracle(url=url, authed_status=status, marker=marker, why=why)
    return None


__all__ = ["AuthOracle", "find_oracle", "session_only", "visible_text"]
