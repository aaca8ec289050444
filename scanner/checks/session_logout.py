"""SNT105 session-valid-after-logout: logging out does not end the session on the server.

**What it detects.** The scanner logs in, notes the session ID, logs out (``--logout-url``, else a
logout link or form found while crawling; tried as POST, then GET if the method is refused; a POST
carries the hidden fields, such as a CSRF token, of the logged-in page's form that posts there), and
asks the logged-in-only oracle page with **the old ID alone**. If it is still logged in, logout only
cleared the browser's cookie: anyone who copied the ID (a proxy log, a shared machine, malware) keeps
the session after the user believes it ended. *Confirmed* by observation.

**CWE:** CWE-613 (Insufficient Session Expiration).

**Example evidence.** ``POST /logout`` answered ``303`` with ``Set-Cookie: sid=[redacted]; Max-Age=0``;
then ``GET /account`` with the old ``sid`` answered ``200 Welcome alice``.

**How to fix.** Destroy the session record server-side on logout (and on password change), not just
the cookie; ``sentinel.logout(request)`` deletes the record and expires the cookie.
"""

from __future__ import annotations

from scanner.auth.profile import login_as_user, strip_values
from scanner.checks._registry import CheckKind, check
from scanner.checks._session import replay
from scanner.checks.session_id_in_url import known_session_ids
from scanner.context import ScanContext
from scanner.discovery.html import parse_html
from scanner.errors import CheckSkipped
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.http.exchange import Exchange, RequestSpec
from scanner.http.probe import ProbeClient

RULE = Rule(
    id="SNT105",
    name="session-valid-after-logout",
    cwe=613,
    severity=Severity.MEDIUM,
    summary="A session ID still authenticates after the user logged out.",
)


def _targets(ctx: ScanContext) -> list[tuple[str, str]]:
    flow = ctx.login_flow()
    if flow.logout_url:
        return [("POST", flow.logout_url), ("GET", flow.logout_url)]
    ids = known_session_ids(ctx)
    found = [(m, strip_values(u, ids)) for m, u in ctx.discovery.logout_targets]
    return list(dict.fromkeys(found))[:2]


async def _form_fields(probe: ProbeClient, pages: list[str], action: str) -> tuple[tuple[str, str], ...]:
    """The hidden fields (a CSRF token, typically) of a logged-in page's form that posts to
    ``action``, so the logout is submitted as a browser would submit it."""
    for page in pages:
        exchange = await probe.get(page)
        for form in parse_html(exchange.text).forms:
            target = probe.engine.scope.resolve(form.action or exchange.url, exchange.url)
            if target == action and form.method == "POST":
                return tuple((f.name, f.value) for f in form.fields if f.type == "hidden")
    return ()


async def _log_out(probe: ProbeClient, targets: list[tuple[str, str]], pages: list[str]) -> Exchange:
    answer: Exchange | None = None
    for method, url in targets:
        form = await _form_fields(probe, pages, url) if method == "POST" else None
        answer = await probe.send(RequestSpec(url=url, method=method, form=form))
        if answer.status not in (404, 405):
            return answer
    if answer is None:  # pragma: no cover - targets is never empty here
        raise CheckSkipped("no logout target")
    raise CheckSkipped(f"the logout URL refused every method (HTTP {answer.status} from {answer.url})")


@check(name="session-valid-after-logout", kind=CheckKind.SESSION, rules=[RULE], order=30)
async def run(ctx: ScanContext) -> list[Finding]:
    profile = await ctx.profile()
    targets = _targets(ctx)
    if not targets:
        raise CheckSkipped("no logout URL configured (--logout-url) and none found while crawling")
    async with ctx.engine.probe("logout") as probe:
        session_id = await login_as_user(profile, probe)
        pages = list(dict.fromkeys([ctx.base_url, *ctx.discovery.logout_pages]))[:3]
        answer = await _log_out(probe, targets, pages)
        if answer.status >= 400:
            raise CheckSkipped(f"the logout request was refused (HTTP {answer.status}); nothing to test")
    ok, oracle_exchange = await replay(ctx, profile, session_id, probe_name="logout-replay")
    if not ok:
        ctx.details["session-valid-after-logout"] = "the old ID no longer authenticates after logout"
        return []
    return [
        ctx.finding(
            RULE,
            confidence=Confidence.CONFIRMED,
            method=answer.method,
            url=answer.url,
            parameter=profile.cookie_name,
            message="after logout, the old session ID still authenticates",
            evidence=(
                ctx.evidence("logout answered", answer, body=False),
                ctx.evidence(f"the old ID alone after logout: {profile.oracle.describe()}", oracle_exchange),
            ),
        )
    ]
