"""The scan context handed to every check: engine, configuration, discovery, and the session profile.

The session profile (one login, the oracle, the session cookie's name) is established once, lazily,
by the first check that needs it. Checks that need a login and have none raise
:class:`~scanner.errors.CheckSkipped` with the reason the report shows: "no login configured".
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, quote_plus

from scanner.auth.flow import LoginFlow
from scanner.auth.profile import SessionProfile, establish
from scanner.config import ScanConfig
from scanner.discovery.crawler import Discovery
from scanner.errors import CheckSkipped, LoginFailed
from scanner.findings import Confidence, Evidence, Finding, Rule, Severity
from scanner.http.engine import HttpEngine
from scanner.http.exchange import Exchange
from scanner.redact import Redactor

NO_LOGIN = "no login configured"


class ScanContext:
    def __init__(self, config: ScanConfig, engine: HttpEngine) -> None:
        self.config = config
        self.engine = engine
        self.discovery = Discovery()
        login = config.login
        self.flow = LoginFlow(login, config.base_url) if login is not None else None
        self.login_error: LoginFailed | None = None
        self._profile: SessionProfile | None = None
        #: Shared results between checks (the session ID sample, say), keyed by the producer.
        self.memo: dict[str, Any] = {}
        #: Why a check passed, by check name ("pre-login ID replaced at login"), shown in reports.
        self.details: dict[str, str] = {}
        if login is not None and login.password is not None:
            password = login.password.reveal().decode()
            # As typed, and as it travels in a form body or a JSON string, whatever the field's name.
            for form in {
                password,
                quote_plus(password),
                quote(password, safe=""),
                json.dumps(password)[1:-1],
            }:
                engine.redactor.add_secret(form)

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def redactor(self) -> Redactor:
        return self.engine.redactor

    def login_flow(self) -> LoginFlow:
        """The configured login (credentials not required: the brute-force check needs none)."""
        if self.flow is None:
            raise CheckSkipped(NO_LOGIN)
        return self.flow

    async def profile(self) -> SessionProfile:
        """The cookie session profile; CheckSkipped when no login is configured, the login failed,
        or the login's session is a bearer token (the cookie session checks do not apply)."""
        profile = await self.session()
        if profile.token is not None:
            raise CheckSkipped("the login returns a bearer token, not a session cookie")
        return profile

    async def session(self) -> SessionProfile:
        """The session profile, cookie or token; CheckSkipped/LoginFailed as :meth:`profile`."""
        if self._profile is not None:
            return self._profile
        flow = self.login_flow()
        if not flow.config.has_credentials:
            raise CheckSkipped(f"{NO_LOGIN} (a login URL but no --username/--password)")
        if self.login_error is not None:
            raise CheckSkipped(f"login failed: {self.login_error}")
        try:
            self._profile = await establish(self.engine, flow, self.discovery)
        except LoginFailed as exc:
            self.login_error = exc
            raise
        self.engine.redactor.add_session_id(self._profile.session_id)
        if self._profile.cookie_name:
            self.memo["session-cookie"] = self._profile.cookie_name
        return self._profile

    def evidence(self, note: str, exchange: Exchange | None = None, *, body: bool = True) -> Evidence:
        """Redacted evidence from one exchange (or a note alone)."""
        if exchange is None:
            return Evidence(note=note)
        redactor = self.engine.redactor
        return Evidence(
            note=note, request=redactor.request(exchange), response=redactor.response(exchange, body=body)
        )

    def finding(
        self,
        rule: Rule,
        *,
        confidence: Confidence,
        method: str,
        url: str,
        message: str,
        parameter: str | None = None,
        evidence: tuple[Evidence, ...] = (),
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            rule=rule,
            severity=rule.severity if severity is None else severity,
            confidence=confidence,
            method=method.upper(),
            url=self.engine.redactor.text(url),
            parameter=parameter,
            message=self.engine.redactor.text(message),
            evidence=evidence,
        )


__all__ = ["NO_LOGIN", "ScanContext"]
