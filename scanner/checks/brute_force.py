"""SNT114 login-brute-force: nothing throttles repeated failed logins.

**What it detects.** The scanner submits the login (``--login-url``, else a password form found while
crawling) ``K`` times (30 by default, ``--brute-force-attempts``) for **one random username that does
not exist**, with random passwords, so no real account can be locked out by the scan. Each attempt
starts from an empty cookie jar (a throttle keyed on the session cookie is no throttle) and is not
retried. It passes as soon as it sees any of:

- an HTTP 429 or 423 answer, or a ``Retry-After`` header;
- a lockout or CAPTCHA: "too many attempts", "locked", "try again later", a captcha field;
- a growing delay: the last third of the answers at least twice as slow as the first third, and at
  least a second slower.

Otherwise the finding is *confirmed*: K failures were answered in full, and the evidence says how fast.

A failed attempt is told from a success by comparing it with the configured login's own successful
answer (status, redirect target, the page it lands on, a token), whatever status the app gives a
failure (401, 200 with the form again, even 404). Without credentials, a failure is an error status
or the password form shown again.
The check runs last, so the target's limiter (once triggered) cannot disturb the other checks.

**CWE:** CWE-307 (Improper Restriction of Excessive Authentication Attempts).

**Example evidence.** ``30 failed logins for one username in 3.1 s (9.7/s) were all answered HTTP 401;
no 429, Retry-After, lockout, CAPTCHA or growing delay``.

**How to fix.** Limit failed logins per account, per client IP and per (account, IP) pair, answering
429 with ``Retry-After``; keep lockouts short so attackers cannot lock real users out.
"""

from __future__ import annotations

import re
import secrets
import statistics
from urllib.parse import urlsplit

from scanner.auth.flow import LoginFlow, Submission
from scanner.checks._registry import CheckKind, check
from scanner.config import LoginConfig
from scanner.context import NO_LOGIN, ScanContext
from scanner.discovery.html import parse_html
from scanner.errors import CheckSkipped, LoginFailed
from scanner.findings import Confidence, Finding, Rule, Severity

RULE = Rule(
    id="SNT114",
    name="login-brute-force",
    cwe=307,
    severity=Severity.MEDIUM,
    summary="Repeated failed logins are neither rate limited nor locked out.",
)
_LOCKOUT = re.compile(
    r"too many (?:login |failed )?(?:attempts|requests|tries)|locked|lockout|try again (?:later|in)|"
    r"rate.?limit|temporarily blocked|captcha",
    re.I,
)
_CAPTCHA_FIELD = re.compile(r"captcha|turnstile", re.I)
GROWTH_FACTOR = 2.0
GROWTH_MIN_S = 1.0


def _flow(ctx: ScanContext) -> LoginFlow:
    if ctx.flow is not None:
        return ctx.flow
    for page_url, form in ctx.discovery.login_forms:
        password = next(f.name for f in form.fields if f.type == "password")
        user = next((f.name for f in form.fields if f.type in ("text", "email")), "username")
        config = LoginConfig(url=page_url, username_field=user, password_field=password)
        return LoginFlow(config, ctx.base_url)
    raise CheckSkipped(f"{NO_LOGIN}, and no login form was found while crawling")


def throttle_signal(submission: Submission) -> str | None:
    """Why this answer shows throttling, or None."""
    answer = submission.answer
    if answer.status in (423, 429):
        return f"HTTP {answer.status}"
    if answer.header("retry-after"):
        return f"Retry-After: {answer.header('retry-after')}"
    text = answer.text[:20_000]
    match = _LOCKOUT.search(text)
    if match:
        return f"the answer says {match.group(0)!r}"
    if answer.is_html and any(
        _CAPTCHA_FIELD.search(f.name) for form in parse_html(text).forms for f in form.fields
    ):
        return "a CAPTCHA field appeared"
    return None


def growing_delay(elapsed: list[float]) -> str | None:
    third = len(elapsed) // 3
    if third < 2:
        return None
    first, last = statistics.median(elapsed[:third]), statistics.median(elapsed[-third:])
    if last >= GROWTH_FACTOR * first and last - first >= GROWTH_MIN_S:
        return f"answers slowed from {first:.2f} s to {last:.2f} s"
    return None


def _signature(submission: Submission) -> tuple[object, ...]:
    answer, landed = submission.answer, submission.landed
    location = urlsplit(answer.location or "").path
    return (
        answer.status,
        location,
        urlsplit(landed.url).path if landed else None,
        submission.token is not None,
    )


async def _success(ctx: ScanContext) -> Submission | None:
    """The configured login's successful answer, when there is one to compare failures with."""
    if ctx.flow is None or not ctx.flow.config.has_credentials:
        return None
    try:
        return (await ctx.session()).login
    except (CheckSkipped, LoginFailed):
        return None


def failed(submission: Submission, success: Submission | None) -> bool:
    """Did this attempt fail? Against the known success when there is one, else by its look."""
    if success is None:
        return submission.refused
    return _signature(submission) != _signature(success)


@check(name="login-brute-force", kind=CheckKind.SESSION, rules=[RULE], order=80)
async def run(ctx: ScanContext) -> list[Finding]:
    flow = _flow(ctx)
    success = await _success(ctx)
    attempts = ctx.config.session.brute_force_attempts
    username = f"sentinel-probe-{secrets.token_hex(6)}"
    elapsed: list[float] = []
    answers: list[Submission] = []
    async with ctx.engine.probe("brute-force") as probe:
        for number in range(1, attempts + 1):
            probe.jar.clear()
            submission = await flow.submit(probe, username, secrets.token_urlsafe(12), retry=False)
            answers.append(submission)
            elapsed.append(submission.answer.elapsed)
            signal = throttle_signal(submission) or growing_delay(elapsed)
            if signal:
                ctx.details["login-brute-force"] = f"throttled after {number} failed logins: {signal}"
                return []
            if number == 1 and success is None and submission.answer.status in (404, 405):
                raise CheckSkipped(
                    f"the login answered HTTP {submission.answer.status}; is --login-url right?"
                )
            if not failed(submission, success):
                raise CheckSkipped("a login with a random username was not refused; cannot judge throttling")
    total = sum(elapsed)
    statuses = sorted({s.answer.status for s in answers})
    last = answers[-1].answer
    note = (
        f"{attempts} failed logins for one username in {total:.1f} s of answers were all answered "
        f"(HTTP {', '.join(map(str, statuses))}); no 429, Retry-After, lockout, CAPTCHA or growing delay"
    )
    return [
        ctx.finding(
            RULE,
            confidence=Confidence.CONFIRMED,
            method=last.method,
            url=last.url,
            parameter=flow.config.password_field,
            message=f"{attempts} failed logins were not throttled",
            evidence=(ctx.evidence(note, last),),
        )
    ]
