"""``CSRFMiddleware``: state-changing requests must come from this site and carry a bound token.

Install it *inside* :class:`~sentinel.SessionMiddleware`. Tokens of a logged-in user are bound to
the session; an anonymous visitor's are bound to a signed pre-session cookie, so public pages with
forms store nothing server-side (:mod:`sentinel.csrf.context` has the rule). Per request:

- safe methods (GET, HEAD, OPTIONS, TRACE) and exempt paths pass: a token is never required to
  read. The app must keep its side of the bargain: safe methods never change state;
- otherwise, by ``mode``: the origin check (:mod:`sentinel.csrf.origin`), then the token, from the
  ``X-CSRF-Token`` header or else the ``csrf_token`` field of a urlencoded or multipart form. A form
  body is buffered (up to ``max_body_bytes``) and replayed, so the app still reads it normally.

On ``logout_paths`` and ``login_paths`` a request the browser proves same-origin needs no token:
stale pages (a tab opened before a login elsewhere, a login form reached with Back) then still log
out and log in, and cross-site requests are refused there as everywhere.

A refusal is ``403`` ``application/problem+json`` with a stable type per reason (a small HTML "page
expired" page when the request is a browser navigation, :mod:`sentinel.problem`), and a
``csrf.refused`` security event (WARNING: an attack, or a broken form, was stopped). On plain http
to a non-loopback host, where browsers drop the Secure cookies, the detail names that cause instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from starlette.responses import JSONResponse, Response

from sentinel.csrf.body import BodyTooLarge, ClientDisconnected, declared_length, read_body, replay
from sentinel.csrf.context import PreSessionPolicy, RequestCSRF
from sentinel.csrf.errors import CSRFNotInstalled
from sentinel.csrf.forms import MULTIPART, URLENCODED, parse_content_type, token_from_form
from sentinel.csrf.origin import OriginCheck
from sentinel.csrf.presession import PreSessionCookie
from sentinel.csrf.settings import SAFE_METHODS, CSRFSettings
from sentinel.csrf.tokens import TokenSigner
from sentinel.errors import ConfigurationError
from sentinel.events import security_event
from sentinel.insecure_host import insecure_host_hint
from sentinel.keys import Secret, coerce_keys
from sentinel.problem import Problem, send_problem
from sentinel.sessions import NoSessionError, Session, session_hash
from sentinel.sessions.middleware import session_headers
from sentinel.shedding.paths import PathMatcher
from sentinel.types import ASGIApp, Message, Receive, Scope, Send

#: Where the middleware leaves the request's CSRF state for :func:`csrf_token`.
CONTEXT_KEY = "sentinel.csrf"

_DETAILS = {
    "origin-null": "The request came from an opaque origin (Origin: null).",
    "cross-site": "The request came from another site.",
    "same-site": "The request came from another subdomain of this site.",
    "bad-fetch-site": "The request's Sec-Fetch-Site header is not one browsers send.",
    "cross-origin": "The request's Origin is neither this site nor a trusted origin.",
    "absent": "The request carries neither Origin nor Sec-Fetch-Site; send Origin.",
    "token-missing": "No CSRF token: send it in the X-CSRF-Token header or the csrf_token form field.",
    "token-invalid": "The CSRF token is not valid for this session (expired by login or logout?).",
}


#: Token refusals are not evidence of a cross-site request (a stale page, dropped cookies): their
#: titles must not say there was one.
_TITLES = {"token-missing": "CSRF token missing", "token-invalid": "CSRF token not valid"}
_EXPIRED = (
    "The form you sent came from a page that is no longer valid: you logged in or out since it was "
    "opened, or it was left open too long. Go back, reload the page, and try again."
)
_FOREIGN = "This form was sent to this site from another site, so it was refused. Nothing was changed."


def csrf_problem(reason: str, hint: str | None = None) -> Problem:
    """403 with type ``csrf-token-missing``, ``csrf-token-invalid`` or ``csrf-origin``.

    ``hint`` (the real cause, when the server can see one) replaces the usual detail."""
    token = reason.startswith("token-")
    return Problem(
        status=403,
        slug=f"csrf-{reason}" if token else "csrf-origin",
        title=_TITLES.get(reason, "Cross-site request refused"),
        detail=hint or _DETAILS[reason],
        page_title="This page has expired" if token else "Request from another site refused",
        page_detail=hint or (_EXPIRED if token else _FOREIGN),
    )


def body_too_large(limit: int) -> Problem:
    return Problem(
        status=413,
        slug="csrf-body-too-large",
        title="Form too large to check",
        detail=f"Forms over {limit} bytes must send the CSRF token in the X-CSRF-Token header.",
    )


def _session(scope: Scope) -> Session:
    session = scope.get("session")
    if not isinstance(session, Session):
        raise NoSessionError("CSRFMiddleware needs a Sentinel session: install it inside SessionMiddleware")
    return session


def csrf_token(request: Any) -> str:
    """A fresh token for this request (put it in a form field or the header).

    ``request`` is a Starlette request (anything with ``.scope``) or an ASGI scope. For a logged-in
    user the first call stores the session's seed. For an anonymous visitor nothing is stored: the
    token is bound to the pre-session cookie, which the response sets if the browser has none."""
    scope: Scope = getattr(request, "scope", request)
    context = scope.get(CONTEXT_KEY)
    if not isinstance(context, RequestCSRF):
        raise CSRFNotInstalled("no CSRF context on this request: add sentinel CSRFMiddleware")
    return context.issue(_session(scope))


async def csrf_token_endpoint(request: Any) -> Response:
    """A route handler: ``{"csrf_token": "..."}`` for the page's scripts, ``Cache-Control: no-store``.

    Mount it as ``Route("/csrf-token", csrf_token_endpoint)``. A long-open page fetches a fresh
    token after a 403 ``csrf-token-invalid`` (a login or logout in another tab retired its own) and
    retries once, without a reload (``docs/csrf.md``). It is a GET, so it changes nothing; another
    site cannot read the answer (no CORS), and the token is useless without this browser's cookies."""
    return JSONResponse({"csrf_token": csrf_token(request)}, headers={"cache-control": "no-store"})


class CSRFMiddleware:
    """``CSRFMiddleware(app, secret_keys=[...])``; other keywords are :class:`CSRFSettings`
    fields, or pass ``settings=`` whole. Use the same key list as the session middleware, newest
    first (a purpose-specific key is derived from each)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_keys: Iterable[str | bytes | Secret],
        settings: CSRFSettings | None = None,
        **options: Any,
    ) -> None:
        if settings is not None and options:
            raise ConfigurationError(["pass settings= or individual CSRF options, not both"])
        self.app = app
        self.settings = s = settings or CSRFSettings(**options)
        keys = coerce_keys(secret_keys, what="secret_keys")
        self.signer = TokenSigner(keys)
        self._presession = PreSessionPolicy(PreSessionCookie(keys, max_age=s.presession_max_age), s)
        self._origin = OriginCheck(s.trusted_origins, allow_same_site=s.allow_same_site)
        self._exempt = PathMatcher(s.exempt_paths)
        self._origin_proof_enough = PathMatcher(s.logout_paths + s.login_paths)
        self._header = s.header_name.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = scope[CONTEXT_KEY] = RequestCSRF(self.signer, self._presession, scope)
        send = _with_presession_cookie(scope, send, context)
        if scope["method"] in SAFE_METHODS or (self._exempt and self._exempt(scope["path"])):
            await self.app(scope, receive, send)
            return
        s = self.settings
        proof_enough = bool(self._origin_proof_enough) and self._origin_proof_enough(scope["path"])
        if s.checks_origin or proof_enough:
            reason = self._origin.check(scope)
            if s.checks_origin and reason is not None and (reason != "absent" or not s.checks_token):
                await self._refuse(scope, send, reason)
                return
            if proof_enough and reason is None:  # same-origin login/logout: the token may be stale
                await self.app(scope, receive, send)
                return
        if s.checks_token:
            try:
                found = await self._find_token(scope, receive)
            except ClientDisconnected:
                return  # nobody to answer, and a truncated form must not reach the app
            if found is None:
                security_event(
                    "csrf.refused",
                    outcome="refused",
                    level=logging.INFO,
                    scope=scope,
                    reason="body-too-large",
                    method=scope["method"],
                )
                await send_problem(send, body_too_large(s.max_body_bytes), scope)
                return
            token, receive = found
            if token is None:
                await self._refuse(scope, send, "token-missing")
                return
            if not context.verify(token, _session(scope)):
                await self._refuse(scope, send, "token-invalid")
                return
        await self.app(scope, receive, send)

    async def _find_token(self, scope: Scope, receive: Receive) -> tuple[str | None, Receive] | None:
        """``(token or None, receive for the app)``; ``None`` when the form is too large to read."""
        content_type = ""
        for name, value in scope["headers"]:
            if name == self._header:
                return value.decode("latin-1").strip() or None, receive
            if name == b"content-type":
                content_type = value.decode("latin-1")
        if parse_content_type(content_type)[0] not in (URLENCODED, MULTIPART):
            return None, receive
        limit = self.settings.max_body_bytes
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            return None
        try:
            buffered = await read_body(receive, limit)
        except BodyTooLarge:
            return None
        token = token_from_form(buffered.body, content_type, self.settings.field_name)
        return token, replay(buffered, receive)

    async def _refuse(self, scope: Scope, send: Send, reason: str) -> None:
        session = scope.get("session")
        sid = session.session_id if isinstance(session, Session) else None
        # Over plain http to a hostname the browser dropped our Secure cookies: that, not the token
        # or an attack, is the cause of a token refusal, and the user must be told how to fix it.
        hint = insecure_host_hint(scope) if reason.startswith("token-") else None
        security_event(
            "csrf.refused",
            outcome="refused",
            level=logging.WARNING,
            scope=scope,
            session=session_hash(sid) if sid else None,
            reason=reason,
            method=scope["method"],
            **({"cause": "plain-http-host"} if hint else {}),
        )
        await send_problem(send, csrf_problem(reason, hint), scope)


def _with_presession_cookie(scope: Scope, send: Send, context: RequestCSRF) -> Send:
    """``send``, setting or expiring the pre-session cookie at the start of the response."""

    async def send_wrapper(message: Message) -> None:
        if message["type"] == "http.response.start":
            session = scope.get("session")
            cookie = context.cookie_header(session if isinstance(session, Session) else None)
            if cookie is not None or context.issued_presession:
                message["headers"] = session_headers(message.get("headers", ()), cookie)
        await send(message)

    return send_wrapper


__all__ = [
    "CONTEXT_KEY",
    "CSRFMiddleware",
    "body_too_large",
    "csrf_problem",
    "csrf_token",
    "csrf_token_endpoint",
]
