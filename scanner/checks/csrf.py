"""SNT212 csrf: a state-changing form has no anti-CSRF token and the server accepts a cross-site post.

**What it detects.** A ``POST`` form whose submission another site can forge: the page carries no
token a foreign page cannot read (no hidden field named like a CSRF token or holding a random value,
no ``<meta name="csrf-token">``, no CSRF cookie for a script to copy into a header), and the server
accepts the form posted with a foreign ``Origin`` and ``Referer``, exactly as it accepts it from its
own page. A victim who visits the attacker's page then changes their profile, posts, or buys,
without knowing.

1. *Static*: forms on the pages the crawl saw (never logout, delete or password-change forms: they are
   not submitted at all) without a token-like field.
2. *Attack*: the form filled with its defaults and plausible values, posted with ``Origin:
   https://sntl<canary>.invalid`` and a matching ``Referer``.
3. *Control*: the same form posted from the site's own origin. Reported when both answer alike (same
   status below 400, similar page); an Origin check shows up as the foreign post being refused.

**Login forms.** OWASP counts login CSRF (an attacker logs the victim into the attacker's account),
so a login form is reported too, at low severity, and is posted with a random user name that cannot
exist (no real account is locked out).

**False-positive guards.** A token-like field, a CSRF meta tag or cookie counts as protection (the
token itself is not verified here); a form that both origins fail to submit (a 400 for missing
input, a 403) is not judged and is said in the check's summary. ``SameSite`` cookies are a second
line, not a replacement (OWASP CSRF Cheat Sheet), so they do not clear a form.

**CWE:** CWE-352 (Cross-Site Request Forgery).

**Example evidence.** ``POST /profile`` with ``Origin: https://sntlkqzd.invalid`` answered ``303`` to
``/profile``, as the same post from the site's own origin did; the form has fields ``display_name``,
``bio`` and no token.

**How to fix.** Sentinel's ``CSRFMiddleware`` (``sentinel.protect()``), or any synchronizer token or
signed double-submit cookie, and a check of ``Origin``/``Sec-Fetch-Site`` on unsafe methods; session
cookies with ``SameSite=Lax`` as a second line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scanner.active.canary import token
from scanner.active.compare import page, similarity
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.filters import is_dangerous, is_logout
from scanner.discovery.html import Form, parse_html
from scanner.errors import CheckSkipped, RequestFailed
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.http.exchange import Exchange, RequestSpec
from scanner.http.probe import ProbeClient

NAME = "csrf"
RULE = Rule(
    id="SNT212",
    name=NAME,
    cwe=352,
    severity=Severity.MEDIUM,
    summary="A state-changing form has no anti-CSRF token and is accepted from a foreign origin.",
)
TOKEN_NAME = re.compile(r"csrf|xsrf|token|nonce|authenticity|verification|_state$", re.I)
_RANDOM_VALUE = re.compile(r"[A-Za-z0-9_\-+/=.:]{16,}")
_CSRF_META = re.compile(r"<meta[^>]+name\s*=\s*[\"']?[\w-]*(?:csrf|xsrf)[\w-]*", re.I)
_PASSWORD_CHANGE = re.compile(
    r"new[-_ ]?pass|confirm[-_ ]?pass|change[-_ ]?pass|passwd|password[-_ ]?(?:2|again)", re.I
)
_USERNAME = re.compile(r"user|login|email|name|account", re.I)
#: Forms judged per scan at most (each costs three requests).
MAX_FORMS = 40
SIMILAR = 0.8


@dataclass(frozen=True, kw_only=True)
class FoundForm:
    page: Exchange
    action: str
    form: Form

    @property
    def is_login(self) -> bool:
        return self.form.has_password


def has_token(form: Form, page_text: str, cookie_names: set[str]) -> bool:
    """A token a foreign page cannot read: a hidden field, a meta tag, or a CSRF cookie for a script."""
    for field in form.fields:
        if field.type == "hidden" and (TOKEN_NAME.search(field.name) or _RANDOM_VALUE.fullmatch(field.value)):
            return True
    if _CSRF_META.search(page_text):
        return True
    return any(TOKEN_NAME.search(name) for name in cookie_names)


def _forms(ctx: ScanContext) -> list[FoundForm]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    found: list[FoundForm] = []
    for exchange in list(ctx.engine.log):
        if exchange.crafted or not exchange.is_html or not 200 <= exchange.status < 300:
            continue
        for form in parse_html(exchange.text).forms:
            if form.method in ("GET", "HEAD"):
                continue
            action = ctx.engine.scope.resolve(form.action or exchange.url, exchange.url)
            if action is None:
                continue
            key = (action, tuple(sorted(form.field_names())))
            if key in seen:
                continue
            seen.add(key)
            found.append(FoundForm(page=exchange, action=action, form=form))
    return found


def _unsafe_to_submit(found: FoundForm) -> bool:
    text = " ".join(f.value for f in found.form.fields if f.type == "submit")
    passwords = [f for f in found.form.fields if f.type == "password"]
    changes_password = len(passwords) > 1 or any(_PASSWORD_CHANGE.search(f.name) for f in passwords)
    return is_logout(found.action, text) or is_dangerous(found.action, text) or changes_password


#: Answers that mean the server did not process the post at all (a 401 is "wrong password" on a
#: login form, but "log in first" anywhere else).
_NOT_PROCESSED = frozenset({400, 401, 403, 405, 415, 419, 422, 429})


def _processed(answer: Exchange, *, login: bool) -> bool:
    if answer.status >= 500:
        return False
    return answer.status not in _NOT_PROCESSED or (login and answer.status == 401)


def fill(form: Form) -> tuple[tuple[str, str], ...]:
    """Plausible values: defaults kept; empty fields get a canary; login forms a user that cannot exist."""
    values: list[tuple[str, str]] = []
    for field in form.fields:
        value = field.value
        if field.type == "password":
            value = token(12)
        elif form.has_password and _USERNAME.search(field.name) and field.type in ("text", "email"):
            value = f"sntl{token()}" + ("@example.invalid" if field.type == "email" else "")
        elif not value and field.type in ("text", "textarea", "search", "hidden"):
            value = f"sntl{token()}"
        elif not value and field.type == "email":
            value = f"sntl{token()}@example.invalid"
        elif not value and field.type == "number":
            value = "1"
        values.append((field.name, value))
    return tuple(values)


async def _post(probe: ProbeClient, found: FoundForm, origin: str | None) -> Exchange | None:
    headers = (("origin", origin), ("referer", f"{origin}/")) if origin else ()
    spec = RequestSpec(url=found.action, method=found.form.method, form=fill(found.form), headers=headers)
    try:
        return await probe.send(spec)
    except RequestFailed:
        return None


@check(name=NAME, kind=CheckKind.SESSION, rules=[RULE], order=85)
async def run(ctx: ScanContext) -> list[Finding]:
    forms = _forms(ctx)
    if not forms:
        raise CheckSkipped("not tested: no state-changing form was seen while crawling")
    findings: list[Finding] = []
    protected, unjudged, skipped = 0, [], 0
    for found in forms[:MAX_FORMS]:
        if _unsafe_to_submit(found):
            skipped += 1
            continue
        async with ctx.engine.probe(f"{NAME}:{found.action}", crafted=True) as probe:
            try:
                visit = await probe.get(found.page.url)  # the victim's browser has the site's cookies
            except RequestFailed:
                continue
            cookies = {c.name for c in visit.set_cookies()}
            if has_token(found.form, visit.text, cookies):
                protected += 1
                continue
            foreign = f"https://sntl{token()}.invalid"
            attack = await _post(probe, found, foreign)
            own = await _post(probe, found, None)
        if attack is None or own is None:
            continue
        if not _processed(own, login=found.is_login):
            unjudged.append(f"{found.form.method} {found.action} (HTTP {own.status} from its own origin)")
            continue
        if attack.status != own.status or similarity(page(attack), page(own)) < SIMILAR:
            protected += 1
            continue
        findings.append(_finding(ctx, found, attack, own))
    if not findings and not protected:
        seen = f"{len(forms)} seen, {len(unjudged)} refused from both origins, {skipped} never submitted"
        raise CheckSkipped(f"not tested: no form could be judged ({seen})")
    summary = f"{len(forms)} form(s) seen; {protected} protected"
    if skipped:
        summary += f"; {skipped} logout/delete/password-change form(s) never submitted"
    if unjudged:
        summary += f"; not judged (refused from both origins): {'; '.join(unjudged[:3])}"
    ctx.details[NAME] = summary
    return findings


def _finding(ctx: ScanContext, found: FoundForm, attack: Exchange, own: Exchange) -> Finding:
    fields = ", ".join(repr(n) for n in found.form.field_names()) or "no fields"
    login = found.is_login
    what = "login form (login CSRF)" if login else "state-changing form"
    where = urlsplit(found.page.url).path or "/"
    return ctx.finding(
        RULE,
        confidence=Confidence.FIRM,
        severity=Severity.LOW if login else Severity.MEDIUM,
        method=found.form.method,
        url=urljoin(found.action, urlsplit(found.action).path),
        message=(
            f"{what} on {where} has no anti-CSRF token ({fields}) and the server accepted it from a "
            f"foreign origin (HTTP {attack.status}, as from its own)"
        ),
        evidence=(
            ctx.evidence("posted with a foreign Origin and Referer: accepted", attack),
            ctx.evidence("the same post from the site's own origin", own),
        ),
    )


__all__ = ["RULE", "fill", "has_token", "run"]
