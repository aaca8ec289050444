"""SNT103 session-fixation: the session ID issued before login still works after login.

**What it detects.** The scanner gets a session ID as an anonymous visitor (from the home page, the
login page, or a harmless form such as "add to cart"), logs in carrying it, and then asks the
logged-in-only oracle page with **that pre-login ID alone**. If the answer is "logged in", an attacker
who planted or learned the pre-login ID (a shared computer, a cookie tossed from a sibling subdomain,
a link with the ID) now owns the victim's authenticated session. *Confirmed* by observation, whether
the app kept the ID or issued a new one without ending the old.

**CWE:** CWE-384 (Session Fixation).

**Example evidence.** ``GET /`` set ``sid=[session-id]``; ``POST /login`` carried it and set no new
cookie; ``GET /account`` with the old ``sid`` alone answered ``200 Welcome alice``.

**How to fix.** Issue a fresh session ID at every privilege change, login first, and end the old one
server-side at once (``sentinel.login(request, user_id)`` does both).
"""

from __future__ import annotations

from scanner.checks._registry import CheckKind, check
from scanner.checks._session import replay
from scanner.context import ScanContext
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.sampling import mint_candidates

RULE = Rule(
    id="SNT103",
    name="session-fixation",
    cwe=384,
    severity=Severity.HIGH,
    summary="A session ID obtained before login still authenticates after login.",
)


@check(name="session-fixation", kind=CheckKind.SESSION, rules=[RULE], order=10)
async def run(ctx: ScanContext) -> list[Finding]:
    profile = await ctx.profile()
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
