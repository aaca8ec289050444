"""The authentication oracle: one request whose answer tells a logged-in session from an anonymous one.

Every session check asks it the same question ("does *this* ID authenticate?"), so fixation, adoption,
logout and URL-session findings are *confirmed* by observation, never inferred from cookie churn. It
is found by comparing, for a few candidate pages, the answer with the session and without it: a
different status (``/me``: 200 vs 401) or the username shown only to the logged-in session.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.errors import RequestFailed
from scanner.http.exchange import Exchange
from scanner.http.probe import ProbeClient


@dataclass(frozen=True, kw_only=True)
class AuthOracle:
    url: str
    authed_status: int
    #: Text shown only to the logged-in session, when status alone does not tell them apart.
    marker: str | None = None

    def judge(self, exchange: Exchange) -> bool:
        if exchange.status != self.authed_status:
            return False
        return self.marker is None or self.marker in exchange.text

    async def check(self, probe: ProbeClient) -> tuple[bool, Exchange]:
        """Ask with ``probe``'s cookies (no redirects followed: a redirect to /login is an answer)."""
        exchange = await probe.get(self.url)
        return self.judge(exchange), exchange

    def describe(self) -> str:
        how = f"HTTP {self.authed_status}" + (" showing the username" if self.marker else "")
        return f"GET {self.url} answers {how} only to a logged-in session"


async def find_oracle(
    authed: ProbeClient, anonymous: ProbeClient, candidates: list[str], username: str | None
) -> AuthOracle | None:
    """The first candidate page that answers the two probes differently."""
    for url in candidates:
        try:
            with_session = await authed.get(url)
            without = await anonymous.get(url)
        except RequestFailed:
            continue
        if not 200 <= with_session.status < 300:
            continue
        if without.status != with_session.status:
            return AuthOracle(url=url, authed_status=with_session.status)
        if username and len(username) >= 3 and username in with_session.text and username not in without.text:
            return AuthOracle(url=url, authed_status=with_session.status, marker=username)
    return None


__all__ = ["AuthOracle", "find_oracle"]
