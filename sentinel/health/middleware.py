"""``HealthMiddleware``: the operator's view of one instance, at one opt-in path.

A ``GET`` or ``HEAD`` of the configured path (``/healthz``) from an operator (a valid bearer token,
or a loopback peer when allowed) gets the JSON health document. Anything else at that path,
including a request without the token, is handed to the app untouched: it gets exactly what any
unknown path gets (normally a 404), so the endpoint's existence is not revealed. A *wrong* token is
also logged as ``health.refused`` (WARNING): someone is guessing, or a monitor has a stale token.

Place it outside the load shedder (``protect()`` does) so an overloaded instance still answers its
operator; inside, list its path in the shedder's ``exempt_paths``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sentinel.errors import ConfigurationError
from sentinel.events import security_event
from sentinel.health.access import OperatorAccess, Verdict
from sentinel.health.report import Check, HealthReporter
from sentinel.health.settings import HealthSettings
from sentinel.shedding import LoadShedder
from sentinel.types import ASGIApp, Receive, Scope, Send

_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=str)


class HealthMiddleware:
    """Serve the health document at ``settings.path`` to operators only.

    ``HealthMiddleware(app, checks=[session_store, limiter_store], shedder=shedder)`` reads the
    rest from ``SENTINEL_*`` variables (see :class:`HealthSettings`); keywords override them, or
    pass ``settings=`` whole.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: HealthSettings | None = None,
        checks: Mapping[str, Check] | Iterable[Check] = (),
        shedder: LoadShedder | None = None,
        **options: Any,
    ) -> None:
        if settings is not None and options:
            raise ConfigurationError(["pass settings= or individual health options, not both"])
        self.app = app
        self.settings = settings or HealthSettings.from_env(**options)
        self.reporter = HealthReporter(self.settings, checks=checks, shedder=shedder)
        self.access = OperatorAccess(self.settings.tokens, allow_loopback=self.settings.allow_loopback)
        self._path = self.settings.path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        verdict = self.access.check(scope)
        if verdict is Verdict.BAD_TOKEN:
            security_event("health.refused", outcome="not served", level=logging.WARNING, scope=scope)
        if verdict not in (Verdict.TOKEN, Verdict.LOOPBACK):
            await self.app(scope, receive, send)
            return
        status, doc = await self.reporter.report(scope)
        body = _ENCODER.encode(doc).encode("ascii")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


__all__ = ["HealthMiddleware"]
