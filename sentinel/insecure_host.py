"""Say once, per host, why a dev server reached over plain http on a hostname will not keep a session.

Sentinel's session cookie is ``Secure`` (``__Host-sid`` by default). Browsers accept a Secure cookie
over plain ``http://`` only on ``localhost`` and loopback addresses; opened as
``http://myhost:8000``, Chromium refuses it (``InvalidPrefix``/``Secure`` in DevTools), no session
survives, and every POST is then refused by the CSRF or session checks, which see no session. The
server cannot see the browser's refusal, but it can see the cause: a request over plain http whose
``Host`` is not loopback. :class:`InsecureHostWarning` logs one WARNING per such host, naming the
fixes.

A TLS-terminating proxy in front makes the scope say ``http`` too; a request carrying
``X-Forwarded-Proto: https`` or ``Forwarded: proto=https`` is taken as proxied and not warned about
(run uvicorn with ``--proxy-headers`` so the scheme is right everywhere).
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from dataclasses import replace

from sentinel.problem import Problem
from sentinel.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("sentinel")

#: Hosts remembered at most; past it no more warnings (a flood of Host headers cannot grow memory).
MAX_HOSTS = 64


def is_loopback_name(host: str) -> bool:
    """Whether browsers treat ``host`` (no port) as a secure context over plain http."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            text: str = bytes(value).decode("latin-1").strip()
            if text.startswith("["):
                return text.partition("]")[0] + "]"
            return text.rpartition(":")[0] if text.count(":") == 1 else text
    return None


def _proxied_https(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto" and value.strip().lower() == b"https":
            return True
        if name == b"forwarded" and b"proto=https" in value.lower():
            return True
    return False


def insecure_host(scope: Scope) -> tuple[str, str] | None:
    """``(host, ":port" or "")`` when ``scope`` came over plain http to a non-loopback host and no
    TLS proxy says otherwise: a browser there keeps no Secure cookie. ``None`` otherwise."""
    if scope.get("type") != "http" or scope.get("scheme") != "http":
        return None
    host = _host(scope)
    if not host or is_loopback_name(host) or _proxied_https(scope):
        return None
    server = scope.get("server")
    return host, f":{server[1]}" if server and server[1] not in (80, None) else ""


def insecure_host_hint(scope: Scope) -> str | None:
    """One sentence naming the real cause and the fixes, for a refusal on such a request; else ``None``."""
    found = insecure_host(scope)
    if found is None:
        return None
    host = _log_safe(found[0])
    return (
        f"This request came over plain http to {host}, not localhost: browsers do not keep Secure "
        f"(__Host-) cookies there, so the session and CSRF cookies were never sent back. Use https, "
        f"or open http://localhost{found[1]}; behind a TLS proxy run uvicorn with --proxy-headers."
    )


def explain_insecure_host(problem: Problem, scope: Scope) -> Problem:
    """``problem`` with the plain-http cause in front of its detail when :func:`insecure_host_hint`
    applies: a refusal caused by cookies the browser dropped (a session budget spent by a client whose
    every request starts a new session) must say so, not only what was refused."""
    hint = insecure_host_hint(scope)
    if hint is None:
        return problem
    return replace(problem, detail=f"{hint} ({problem.detail})", page_detail=hint)


def _log_safe(raw_host: str) -> str:
    return "".join(ch for ch in raw_host[:100] if ch.isalnum() or ch in ".-:[]_")


class InsecureHostWarning:
    """Plain ASGI middleware: logs one warning per non-loopback host reached over plain http."""

    def __init__(self, app: ASGIApp, *, cookie_name: str) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def _warn_once(self, raw_host: str, port: str) -> None:
        host = _log_safe(raw_host)
        with self._lock:
            if host in self._warned or len(self._warned) >= MAX_HOSTS:
                return
            self._warned.add(host)
        logger.warning(
            "request to http://%s%s over plain http: browsers refuse the Secure session cookie %s on "
            "a non-localhost http origin, so no session will survive and every POST will be refused "
            "(CSRF/session). Use https, or open the app as http://localhost%s; behind a TLS proxy, run "
            "uvicorn with --proxy-headers. (Logged once per host.)",
            host,
            port,
            self.cookie_name,
            port,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = insecure_host(scope)
        if found is not None:
            self._warn_once(*found)
        await self.app(scope, receive, send)


__all__ = [
    "MAX_HOSTS",
    "InsecureHostWarning",
    "explain_insecure_host",
    "insecure_host",
    "insecure_host_hint",
    "is_loopback_name",
]
