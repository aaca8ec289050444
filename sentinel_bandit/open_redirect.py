"""SNT915 open-redirect: request data chooses where a redirect goes (CWE-601).

**What it detects.** Request data (see :mod:`sentinel_bandit._sources`) in the location of Flask/
Quart/bottle ``redirect``, Django ``redirect``/``HttpResponseRedirect``/
``HttpResponsePermanentRedirect``, Starlette/FastAPI ``RedirectResponse``, aiohttp ``HTTPFound``/
``HTTPSeeOther``/``HTTPTemporaryRedirect``/``HTTPPermanentRedirect``. A location with a literal
site-relative prefix (``"/profile/" + name``) or a fixed scheme and host stays on a known site and is
not reported; ``url_for``/``reverse`` build our own URLs.

**Why it matters.** A link on a trusted domain that lands on an attacker's page: phishing that
passes the "check the domain" advice, and OAuth token theft through redirect URIs.

**Example evidence.** ``return redirect(request.args["next"])``.

**How to fix.** Redirect only to paths of this site: check with Django's
``url_has_allowed_host_and_scheme`` (or parse and require no scheme and no host), or map a key to a
fixed URL.

Severity medium.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import OPEN_REDIRECT

_AIOHTTP = (
    "HTTPFound",
    "HTTPSeeOther",
    "HTTPTemporaryRedirect",
    "HTTPPermanentRedirect",
    "HTTPMovedPermanently",
)

SINKS = (
    Sink(
        label="redirect",
        select=arg(0, "location"),
        names=names("flask.redirect", "quart.redirect", "bottle.redirect", "werkzeug.utils.redirect"),
    ),
    Sink(
        label="redirect",
        select=arg(0, "to"),
        names=names(
            "django.shortcuts.redirect",
            "django.http.HttpResponseRedirect",
            "django.http.HttpResponsePermanentRedirect",
            "django.http.response.HttpResponseRedirect",
        ),
    ),
    Sink(
        label="RedirectResponse",
        select=arg(0, "url"),
        names=names("starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse"),
    ),
    Sink(
        label="an aiohttp redirect",
        select=arg(0, "location"),
        names=names(*(f"aiohttp.web.{c}" for c in _AIOHTTP)),
    ),
)


@plugin(OPEN_REDIRECT, "Call")
def sentinel_open_redirect(context: Context) -> Any:
    return taint_issue(
        OPEN_REDIRECT,
        context,
        SINKS,
        Kind.REDIRECT,
        lambda sink, evidence: (
            f"{evidence} chooses where {sink.label} sends the browser (open redirect); "
            "allow only paths of this site"
        ),
    )
