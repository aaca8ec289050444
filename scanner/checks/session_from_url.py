"""SNT102 session-accepted-from-url: the target accepts a session ID from the URL.

**What it detects.** After a real login, the scanner asks the logged-in-only page (the *oracle*, e.g.
``GET /me``) **without any cookie**, putting the live session ID in the URL instead: as a query
parameter under each name the target was seen using for IDs in URLs, the cookie's own name, and the
common ones (``sid``, ``session``, ``jsessionid``, ``PHPSESSID``...), and as a ``;jsessionid=`` path
parameter. If the page then answers as logged in, the finding is *confirmed*.

An app that reads IDs from URLs makes every leaked URL a working session, and lets an attacker fix a
victim's session with a link (session fixation through the URL).

**CWE:** CWE-598 (Use of GET Request Method With Sensitive Query Strings).

**Example evidence.** ``GET /account?sid=[session-id]`` with no Cookie header answered ``200 Welcome
alice``; the same request without the parameter answered ``401``.

**How to fix.** Read the session ID from the cookie only. Refuse (400) or strip session parameters in
URLs before the app sees them, as Sentinel's ``SessionMiddleware`` does.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from scanner.auth.profile import login_as_user
from scanner.checks._registry import CheckKind, check
from scanner.checks._session import id_carriers
from scanner.checks.session_id_in_url import known_session_ids
from scanner.context import ScanContext
from scanner.findings import Confidence, Finding, Rule, Severity
from sentinel.sessions.config import COMMON_SESSION_PARAMS

RULE = Rule(
    id="SNT102",
    name="session-accepted-from-url",
    cwe=598,
    severity=Severity.HIGH,
    summary="The target authenticates a request whose session ID is in the URL instead of a cookie.",
)


def _names(ctx: ScanContext, cookie_name: str) -> list[str]:
    ids = known_session_ids(ctx)
    seen = [p for ex in ctx.engine.log if not ex.crafted for p in id_carriers(ex.url, ids) if p != "path"]
    bare = cookie_name.removeprefix("__Host-").removeprefix("__Secure-")
    return list(dict.fromkeys([*seen, cookie_name, bare, *sorted(COMMON_SESSION_PARAMS)]))


def _with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query + urlencode({name: value}), ""))


def _with_path_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"{parts.path};{name}={value}", parts.query, ""))


@check(name="session-accepted-from-url", kind=CheckKind.SESSION, rules=[RULE], order=20)
async def run(ctx: ScanContext) -> list[Finding]:
    profile = await ctx.profile()
    async with ctx.engine.probe("url-session-login") as probe:
        session_id = await login_as_user(profile, probe)
    oracle = profile.oracle
    attempts = [
        (name, _with_param(oracle.url, name, session_id)) for name in _names(ctx, profile.cookie_name)
    ]
    attempts.append((";jsessionid", _with_path_param(oracle.url, "jsessionid", session_id)))
    async with ctx.engine.probe("url-session", crafted=True) as crafted:
        for name, url in attempts:
            exchange = await crafted.get(url)
            if oracle.judge(exchange):
                message = f"a session ID in the URL parameter '{name}' authenticates, with no cookie sent"
                note = f"no Cookie header; the ID rode in '{name}'; {oracle.describe()}: logged in"
                return [
                    ctx.finding(
                        RULE,
                        confidence=Confidence.CONFIRMED,
                        method="GET",
                        url=oracle.url,
                        parameter=name,
                        message=message,
                        evidence=(ctx.evidence(note, exchange),),
                    )
                ]
    ctx.details["session-accepted-from-url"] = (
        f"{len(attempts)} URL placements of a live ID were not accepted"
    )
    return []
