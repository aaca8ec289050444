"""SNT104 session-adoption: the target adopts a session ID the client made up.

**What it detects.** The scanner invents an ID shaped like the target's own (same length and
character classes), sends it as the session cookie, logs in with it, and asks the logged-in-only
oracle page with **that invented ID alone**. If it is logged in, the server accepted an ID it never
issued: an attacker needs no server contact at all to fix a victim's session, only a way to set a
cookie (a sibling subdomain, an http page on the same host, a header-injection bug). *Confirmed* by
observation. A server that merely echoes the unknown ID back before login is noted, not reported,
when login then replaces it.

**CWE:** CWE-384 (Session Fixation).

**Example evidence.** ``Cookie: sid=[session-id]`` (invented) on ``POST /login``; then ``GET /account``
with that cookie alone answered ``200 Welcome alice``.

**How to fix.** Never create a session under a client-supplied ID: treat unknown, expired or
unsigned IDs as absent, mint IDs server-side only, and rotate at login. Sentinel signs IDs and adopts
one only when its record exists.
"""

from __future__ import annotations

from scanner.checks._registry import CheckKind, check
from scanner.checks._session import look_alike, replay
from scanner.context import ScanContext
from scanner.findings import Confidence, Finding, Rule, Severity

RULE = Rule(
    id="SNT104",
    name="session-adoption",
    cwe=384,
    severity=Severity.HIGH,
    summary="A session ID chosen by the client is adopted and authenticates after login.",
)


@check(name="session-adoption", kind=CheckKind.SESSION, rules=[RULE], order=11)
async def run(ctx: ScanContext) -> list[Finding]:
    profile = await ctx.profile()
    name = profile.cookie_name
    forged = look_alike(profile.session_id)
    ctx.redactor.add_session_id(forged)
    async with ctx.engine.probe("adoption") as probe:
        probe.jar.set(name, forged)
        first = await probe.get(ctx.base_url)
        echoed = any(c.name == name and c.value == forged for c in first.set_cookies())
        submission = await profile.flow.login(probe)
    ok, oracle_exchange = await replay(ctx, profile, forged, probe_name="adoption-replay")
    if not ok:
        echo = "echoed it back before login, but " if echoed else ""
        ctx.details["session-adoption"] = f"the server {echo}did not authenticate an invented ID"
        return []
    return [
        ctx.finding(
            RULE,
            confidence=Confidence.CONFIRMED,
            method=submission.answer.method,
            url=submission.answer.url,
            parameter=name,
            message="an invented session ID sent before login was adopted and authenticates after login",
            evidence=(
                ctx.evidence("login submitted with an invented session ID", submission.answer, body=False),
                ctx.evidence(f"the invented ID alone: {profile.oracle.describe()}", oracle_exchange),
            ),
        )
    ]
