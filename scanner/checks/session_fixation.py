"""SNT103 session-fixation: the session ID issued before login still works after login.

**What it detects.** The scanner gets a session ID as an anonymous visitor (from the home page, the
login page, or a harmless form such as "add to cart"), logs in carrying it, and then asks the
logged-in-only oracle page with **that pre-login ID alone**. If the answer is "logged in", an attacker
who planted or learned the pre-login ID (a shared computer, a cookie tossed from a sibling subdomain,
a link with the ID) now owns the victim's authenticated session. *Confirmed* by observation, whether
the app kept the ID or issued a new one without ending the old.

When the login works but cannot be *verified* (no page tells a logged-in session from an anonymous
one), the check still judges what the login answer itself shows: if the login visibly succeeded (a
redirect away from the login page, no password form on the page it lands on) and a session-like
cookie issued before login was neither replaced nor removed by it, the finding is *firm* (the ID was
not rotated at login; without an oracle it cannot be replayed to confirm).

**CWE:** CWE-384 (Session Fixation).

**Example evidence.** ``GET /`` set ``sid=[session-id]``; ``POST /login`` carried it and set no new
cookie; ``GET /account`` with the old ``sid`` alone answered ``200 Welcome alice``.

**How to fix.** Issue a fresh session ID at every privilege change, login first, and end the old one
server-side at once (``sentinel.login(request, user_id)`` does both).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scanner.auth.flow import Submission
from scanner.auth.profile import SESSION_NAME_HINT
from scanner.checks._registry import CheckKind, check
from scanner.checks._session import replay
from scanner.context import ScanContext
from scanner.errors import CheckSkipped, LoginUnverified
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.sampling import mint_candidates

RULE = Rule(
    id="SNT103",
    name="session-fixation",
    cwe=384,
    severity=Severity.HIGH,
    summary="A session ID obtained before login still authenticates after login.",
)


_NOT_SESSION = re.compile(r"csrf|xsrf|lang|locale|theme|consent", re.I)


@check(name="session-fixation", kind=CheckKind.SESSION, rules=[RULE], order=10)
async def run(ctx: ScanContext) -> list[Finding]:
    try:
        profile = await ctx.profile()
    except (LoginUnverified, CheckSkipped):
        if isinstance(ctx.login_error, LoginUnverified):
            return await _unverified(ctx)
        raise
    name = profile.cookie_name
    async with ctx.engine.probe("fixation") as probe:
        for spec in mint_candidates(ctx):
            await probe.send(spec)
            if probe.jar.get(name):
                break
        before = probe.jar.get(name)
        if before is None:
            ctx.details["session-fixation"] = "no session is issued before login, so none can be fixed"
            return []
        submission = await profile.flow.login(probe)
        after = probe.jar.get(name)
    ok, oracle_exchange = await replay(ctx, profile, before, probe_name="fixation-replay")
    if not ok:
        kept = "kept" if after == before else "replaced"
        ctx.details["session-fixation"] = f"the pre-login ID was {kept} and does not authenticate after login"
        return []
    how = "kept unchanged" if after == before else "replaced, but the old one was not ended"
    return [
        ctx.finding(
            RULE,
            confidence=Confidence.CONFIRMED,
            method=submission.answer.method,
            url=submission.answer.url,
            parameter=name,
            message=f"the pre-login session ID was {how} at login and authenticates afterwards",
            evidence=(
                ctx.evidence(
                    "login submitted carrying the pre-login session ID", submission.answer, body=False
                ),
                ctx.evidence(f"the pre-login ID alone: {profile.oracle.describe()}", oracle_exchange),
            ),
        )
    ]


def _succeeded(ctx: ScanContext, submission: Submission) -> bool:
    """The login answer itself shows success: a redirect away from the login page, landing on a page
    without a password form."""
    answer = submission.answer
    target = answer.location and ctx.engine.scope.resolve(answer.location, answer.url)
    if not target or urlsplit(target).path == urlsplit(ctx.login_flow().login_url).path:
        return False
    return not submission.refused


async def _unverified(ctx: ScanContext) -> list[Finding]:
    """Fixation judged from the login answer alone (see the module docstring)."""
    flow = ctx.login_flow()
    async with ctx.engine.probe("fixation-unverified") as probe:
        for spec in mint_candidates(ctx):
            await probe.send(spec)
        before = {
            n: v
            for n in probe.jar.names()
            if (v := probe.jar.get(n)) and SESSION_NAME_HINT.search(n) and not _NOT_SESSION.search(n)
        }
        if not before:
            ctx.details["session-fixation"] = "no session-like cookie is issued before login"
            return []
        submission = await flow.login(probe)
        if not _succeeded(ctx, submission):
            raise CheckSkipped("the login could not be verified, and its answer does not show success")
        kept = sorted(n for n, v in before.items() if probe.jar.get(n) == v)
    if not kept:
        ctx.details["session-fixation"] = (
            "every pre-login session cookie was replaced at login (not replayed)"
        )
        return []
    name = kept[0]
    return [
        ctx.finding(
            RULE,
            confidence=Confidence.FIRM,
            method=submission.answer.method,
            url=submission.answer.url,
            parameter=name,
            message=(
                f"the pre-login session cookie {name} was kept unchanged by a successful login "
                "(the login could not be verified, so the old ID was not replayed)"
            ),
            evidence=(
                ctx.evidence(
                    "login answer: a redirect away from the login page", submission.answer, body=False
                ),
            ),
        )
    ]
