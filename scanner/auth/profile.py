"""The session profile: log in once, then learn which cookie carries the session and how to tell a
logged-in session from an anonymous one. Every session check builds on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scanner.auth.flow import LoginFlow, Submission
from scanner.auth.oracle import AuthOracle, find_oracle
from scanner.discovery.crawler import Discovery
from scanner.discovery.filters import is_dangerous
from scanner.errors import LoginFailed, LoginUnverified
from scanner.http.engine import HttpEngine
from scanner.http.probe import ProbeClient

SESSION_NAME_HINT = re.compile(r"sess|sid|auth|token|login|user", re.I)
_MAX_PAGE_CANDIDATES = 10


@dataclass(frozen=True, kw_only=True)
class SessionProfile:
    """What the session checks need to know about the target's sessions."""

    cookie_name: str
    oracle: AuthOracle
    flow: LoginFlow
    #: The session ID the profiling login got (already registered with the redactor).
    session_id: str
    login: Submission
    #: ``Bearer <token>`` when the session is a token from the login's answer, not a cookie; then
    #: ``cookie_name`` is empty and the cookie session checks do not apply.
    token: str | None = None


def strip_values(url: str, values: set[str]) -> str:
    """``url`` without query parameters whose value is one of ``values`` (session IDs in links)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if v not in values]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def _candidates(
    flow: LoginFlow, submission: Submission, discovery: Discovery, base: str, ids: set[str]
) -> list[str]:
    """Pages to ask, best first: the override, pages that sent anonymous visitors to the login page,
    where the login landed, then other discovered pages (crawl and OpenAPI) and the base URL."""
    urls: list[str] = []
    if flow.config.auth_check_url:
        urls.append(urljoin(base, flow.config.auth_check_url))
    urls += discovery.login_redirects
    location = submission.answer.location
    if location:
        urls.append(strip_values(urljoin(submission.answer.url, location), ids))
    if submission.landed is not None:
        urls += [strip_values(hop.url, ids) for hop in submission.landed.chain()]
    pages = [e.url for e in discovery.sorted_endpoints() if e.method == "GET" and "{" not in e.url]
    pages = [u for u in dict.fromkeys(pages) if u != flow.login_url and not is_dangerous(u)]
    urls += pages[:_MAX_PAGE_CANDIDATES]
    urls.append(base)
    return [u for u in dict.fromkeys(urls) if u != flow.login_url]


def _cookie_order(probe: ProbeClient, submission: Submission) -> list[str]:
    set_at_login = {c.name for c in submission.answer.set_cookies()}
    return sorted(
        probe.jar.names(), key=lambda n: (n not in set_at_login, not SESSION_NAME_HINT.search(n), n)
    )


async def establish(engine: HttpEngine, flow: LoginFlow, discovery: Discovery) -> SessionProfile:
    """Log in, find the oracle and the session cookie; raises LoginFailed when the login did not take."""
    async with engine.probe("login-profile") as probe, engine.probe("anonymous-profile") as anonymous:
        submission = await flow.login(probe)
        values = {probe.jar.get(n) or "" for n in probe.jar.names()}
        candidates = _candidates(flow, submission, discovery, engine.scope.base_url, values)
        oracle = await find_oracle(probe, anonymous, candidates, flow.config.username, seen=submission.landed)
        if oracle is None:
            raise LoginUnverified(
                "the login could not be verified: no page answered differently with and without the "
                f"session (tried {len(candidates)}, with redirects, logout controls and page text); "
                "name one with --auth-check-url"
            )
        engine.note(f"logged-in oracle: {oracle.describe()}")
        token = submission.token
        if token is not None:
            async with engine.probe("token-identify") as alone:
                alone.auth_headers = [("authorization", token)]
                ok, _ = await oracle.check(alone)
            if ok:
                return SessionProfile(
                    cookie_name="", oracle=oracle, flow=flow, session_id=token, login=submission, token=token
                )
        for name in _cookie_order(probe, submission):
            value = probe.jar.get(name)
            if not value:
                continue
            async with engine.probe("cookie-identify") as alone:
                alone.jar.set(name, value)
                ok, _ = await oracle.check(alone)
            if ok:
                return SessionProfile(
                    cookie_name=name, oracle=oracle, flow=flow, session_id=value, login=submission
                )
    raise LoginFailed("logged in, but no single cookie carries the session; the session checks need one")


async def login_as_user(profile: SessionProfile, probe: ProbeClient) -> str:
    """Log ``probe`` in and return its session ID; raises LoginFailed if it did not take."""
    submission = await profile.flow.login(probe)
    landed = submission.landed
    if landed is not None and landed.url == profile.oracle.url:  # already asked: do not ask twice
        ok = profile.oracle.judge(landed)
    else:
        ok, _ = await profile.oracle.check(probe)
    session_id = submission.token if profile.token else probe.jar.get(profile.cookie_name)
    if not ok or not session_id:
        raise LoginFailed("a repeated login did not take (the oracle still sees an anonymous session)")
    return session_id


async def ensure_logged_in(profile: SessionProfile, probe: ProbeClient) -> bool:
    """Re-login ``probe`` if its session was lost; ``True`` when it is logged in afterwards."""
    ok, _ = await profile.oracle.check(probe)
    if ok:
        return True
    probe.jar.clear()
    probe.auth_headers = []
    try:
        await login_as_user(profile, probe)
    except LoginFailed:
        return False
    probe.engine.note("the session was lost during the scan and the scanner logged in again")
    return True


__all__ = ["SessionProfile", "ensure_logged_in", "establish", "login_as_user", "strip_values"]
