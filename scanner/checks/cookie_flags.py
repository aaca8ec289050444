"""SNT108-SNT113 cookie-flags: the session cookie's attributes leave it exposed.

**What it detects.** The ``Set-Cookie`` header that sets the session cookie (the one the login sets,
else the first seen), attribute by attribute:

- SNT108 cookie-httponly (CWE-1004, medium): no ``HttpOnly``, so any script (an XSS) can read the ID.
- SNT109 cookie-secure (CWE-614, medium on https; low and tentative on http): no ``Secure``, so the
  ID can travel over plain http.
- SNT110 cookie-samesite (CWE-1275): ``SameSite`` missing (low) or ``None`` (medium), so the cookie
  rides on cross-site requests (CSRF).
- SNT111 cookie-host-prefix (CWE-693, info; hardening, not a flaw on its own, and not fixation):
  no valid ``__Host-`` prefix, so a sibling subdomain or an http page could overwrite ("toss") it.
- SNT112 cookie-domain (CWE-668): a ``Domain`` attribute sends the ID to every subdomain (low), or to
  a parent domain and all its subdomains (medium).
- SNT113 cookie-persistent (CWE-539, low): ``Max-Age``/``Expires`` keep the ID on disk beyond the
  browser session.

**CWE:** per rule, as listed: CWE-1004, CWE-614, CWE-1275, CWE-693, CWE-668, CWE-539.

On a plain-http target ``Secure`` **cannot be verified**: a missing flag is reported as *tentative*
with the words "cannot verify over http"; scan the https deployment to confirm it. (Loopback targets
still get their Secure cookies back from the scanner, as browsers do for localhost.)

**Example evidence.** ``Set-Cookie: sid=[redacted]; Path=/`` on ``GET /``: no HttpOnly, no Secure,
no SameSite, no ``__Host-`` prefix.

**How to fix.** ``Set-Cookie: __Host-sid=<id>; Path=/; Secure; HttpOnly; SameSite=Lax`` with no
``Domain`` and no ``Max-Age``/``Expires``: Sentinel's ``SessionSettings`` defaults.
"""

from __future__ import annotations

import time

from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.errors import CheckSkipped
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.http.cookies import SetCookie
from scanner.http.exchange import Exchange
from scanner.sampling import session_cookie_name

HTTPONLY = Rule(
    id="SNT108",
    name="cookie-httponly",
    cwe=1004,
    severity=Severity.MEDIUM,
    summary="The session cookie lacks HttpOnly, so scripts can read it.",
)
SECURE = Rule(
    id="SNT109",
    name="cookie-secure",
    cwe=614,
    severity=Severity.MEDIUM,
    summary="The session cookie lacks Secure, so it can travel over plain http.",
)
SAMESITE = Rule(
    id="SNT110",
    name="cookie-samesite",
    cwe=1275,
    severity=Severity.LOW,
    summary="The session cookie's SameSite is missing or None.",
)
HOST_PREFIX = Rule(
    id="SNT111",
    name="cookie-host-prefix",
    cwe=693,
    severity=Severity.INFO,
    summary="Hardening: the session cookie lacks a valid __Host- prefix, so a sibling could toss it.",
)
DOMAIN = Rule(
    id="SNT112",
    name="cookie-domain",
    cwe=668,
    severity=Severity.LOW,
    summary="The session cookie has a Domain attribute, so subdomains receive it.",
)
PERSISTENT = Rule(
    id="SNT113",
    name="cookie-persistent",
    cwe=539,
    severity=Severity.LOW,
    summary="The session cookie is persistent (Max-Age or Expires).",
)
RULES = (HTTPONLY, SECURE, SAMESITE, HOST_PREFIX, DOMAIN, PERSISTENT)

Problem = tuple[Rule, Severity, Confidence, str]


def _observed(ctx: ScanContext, name: str) -> tuple[SetCookie, Exchange]:
    for exchange in reversed(ctx.engine.log):
        for cookie in exchange.set_cookies():
            if cookie.name == name and not cookie.is_deletion(time.time()):
                return cookie, exchange
    raise CheckSkipped(f"no response set the session cookie {name!r} during the scan")


def cookie_problems(cookie: SetCookie, *, https: bool, host: str) -> list[Problem]:
    """Every attribute problem of one session cookie."""
    found: list[Problem] = []
    if not cookie.httponly:
        found.append((HTTPONLY, Severity.MEDIUM, Confidence.CONFIRMED, "HttpOnly is missing"))
    if not cookie.secure:
        if https:
            found.append((SECURE, Severity.MEDIUM, Confidence.CONFIRMED, "Secure is missing"))
        else:
            found.append(
                (
                    SECURE,
                    Severity.LOW,
                    Confidence.TENTATIVE,
                    "Secure is missing; cannot verify over http (scan the https deployment to confirm)",
                )
            )
    samesite = (cookie.attribute("samesite") or "").lower()
    if not samesite:
        found.append((SAMESITE, Severity.LOW, Confidence.CONFIRMED, "SameSite is not set"))
    elif samesite == "none":
        found.append((SAMESITE, Severity.MEDIUM, Confidence.CONFIRMED, "SameSite=None sends it cross-site"))
    elif samesite not in ("lax", "strict"):
        found.append(
            (SAMESITE, Severity.LOW, Confidence.CONFIRMED, f"SameSite={samesite!r} is not a valid value")
        )
    domain = (cookie.attribute("domain") or "").lstrip(".").lower()
    if not cookie.name.startswith("__Host-"):
        found.append(
            (HOST_PREFIX, Severity.INFO, Confidence.CONFIRMED, "hardening: the name has no __Host- prefix")
        )
    elif domain or cookie.path != "/" or not cookie.secure:
        found.append(
            (
                HOST_PREFIX,
                Severity.LOW,
                Confidence.CONFIRMED,
                "a __Host- cookie needs Secure, Path=/ and no Domain; browsers drop this one",
            )
        )
    if domain:
        parent = host != domain and host.endswith("." + domain)
        found.append(
            (
                DOMAIN,
                Severity.MEDIUM if parent else Severity.LOW,
                Confidence.CONFIRMED,
                f"Domain={domain} shares it with {'the parent domain and ' if parent else ''}every subdomain",
            )
        )
    if cookie.expires_at(time.time()) is not None:
        found.append(
            (
                PERSISTENT,
                Severity.LOW,
                Confidence.CONFIRMED,
                "Max-Age/Expires make it persist on disk beyond the browser session",
            )
        )
    return found


@check(name="cookie-flags", kind=CheckKind.SESSION, rules=RULES, order=45)
async def run(ctx: ScanContext) -> list[Finding]:
    name = await session_cookie_name(ctx)
    cookie, exchange = _observed(ctx, name)
    scope = ctx.engine.scope
    problems = cookie_problems(cookie, https=scope.is_https, host=scope.origin[1])
    if not problems:
        ctx.details["cookie-flags"] = f"{name}: HttpOnly, Secure, SameSite, __Host-, no Domain, session-only"
    return [
        ctx.finding(
            rule,
            severity=severity,
            confidence=confidence,
            method=exchange.method,
            url=exchange.url,
            parameter=name,
            message=f"session cookie {name}: {text}",
            evidence=(ctx.evidence(text, exchange, body=False),),
        )
        for rule, severity, confidence, text in problems
    ]
