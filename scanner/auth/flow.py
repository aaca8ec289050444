"""Perform a login: read the login form and submit it (hidden fields, such as CSRF tokens, included,
every other field filled as a person would), post JSON, or follow a login link (``GET`` with the
credentials in the query). The same code submits the brute-force check's deliberately wrong attempts.

A login that answers with a token (a JSON body field such as ``access_token``, or an
``Authorization``/``X-Auth-Token`` response header, as JWT APIs do) is replayed as
``Authorization: Bearer <token>`` on the probe's later requests. A redirect after the submission is
followed, and the page it lands on is kept: landing back on a password form means "refused".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin

from scanner.config import LoginConfig
from scanner.discovery.fill import filled_fields
from scanner.discovery.html import Form, parse_html
from scanner.errors import LoginFailed, RequestFailed
from scanner.http.exchange import Exchange, RequestSpec
from scanner.http.probe import ProbeClient

#: Answers that mean "these credentials were not accepted" whatever the body says.
REFUSED_STATUSES = frozenset({400, 401, 403, 404, 405, 422, 423, 429})


#: JSON fields and response headers that carry a session token after a login.
TOKEN_FIELDS = ("access_token", "token", "jwt", "id_token", "auth_token", "accessToken", "authToken")
TOKEN_HEADERS = ("authorization", "x-auth-token", "x-access-token", "x-token")


@dataclass(frozen=True, kw_only=True)
class Submission:
    """One login attempt: the page the form came from (if any), the answer to the submission, and
    the page a redirect after it landed on (if it redirected)."""

    form_page: Exchange | None
    answer: Exchange
    landed: Exchange | None = None

    @property
    def refused(self) -> bool:
        """The attempt visibly failed: an error status, or the password form shown again."""
        answer = self.answer
        if answer.status in REFUSED_STATUSES or answer.status >= 500:
            return True
        final = self.landed or answer
        return (
            final.status == 200
            and final.is_html
            and any(f.has_password for f in parse_html(final.text).forms)
        )

    @property
    def token(self) -> str | None:
        """A session token the answer carries (JSON body field or response header), if any."""
        return token_in(self.answer)


def token_in(answer: Exchange) -> str | None:
    """``Bearer <token>`` from a login answer's headers or JSON body, or ``None``."""
    for name in TOKEN_HEADERS:
        value = (answer.header(name) or "").strip()
        if len(value) >= 16:
            return value if " " in value else f"Bearer {value}"
    if "json" not in answer.content_type:
        return None
    try:
        data = json.loads(answer.text)
    except ValueError:
        return None
    for node in (data, data.get("data") if isinstance(data, dict) else None):
        if isinstance(node, dict):
            for key in TOKEN_FIELDS:
                found = node.get(key)
                if isinstance(found, str) and len(found) >= 16 and " " not in found:
                    return f"Bearer {found}"
    return None


def pick_form(forms: list[Form], config: LoginConfig) -> Form | None:
    """The login form: the one with both configured field names, else the first with a password."""
    for form in forms:
        names = form.field_names()
        if config.username_field in names and config.password_field in names:
            return form
    return next((f for f in forms if f.has_password), None)


class LoginFlow:
    """Knows how to submit credentials to one target's login."""

    def __init__(self, config: LoginConfig, base_url: str) -> None:
        self.config = config
        self.login_url = urljoin(base_url, config.url)
        self.logout_url = urljoin(base_url, config.logout_url) if config.logout_url else None

    async def submit(
        self, probe: ProbeClient, username: str, password: str, *, retry: bool = True
    ) -> Submission:
        """Submit one attempt in ``probe`` (its cookies ride along). Redirects are not followed."""
        c = self.config
        if c.format == "json":
            spec = RequestSpec(
                url=self.login_url,
                method="POST",
                json_body={c.username_field: username, c.password_field: password},
            )
            return await self._land(probe, None, await probe.send(spec, retry=retry))
        if c.format == "get":
            base, _, query = self.login_url.partition("?")
            kept = tuple(
                (k, v)
                for k, v in parse_qsl(query, keep_blank_values=True)
                if k not in (c.username_field, c.password_field)
            )
            spec = RequestSpec(
                url=base, params=(*kept, (c.username_field, username), (c.password_field, password))
            )
            return await self._land(probe, None, await probe.send(spec, retry=retry))
        page = await probe.get(self.login_url, follow_redirects=True)
        form = pick_form(parse_html(page.text).forms, c) if page.is_html else None
        if form is None:
            raise LoginFailed(
                f"no login form at {self.login_url} (HTTP {page.status}): check --login-url, "
                "or use --login-format json"
            )
        action = probe.engine.scope.resolve(form.action or page.url, page.url)
        if action is None:
            raise LoginFailed(f"the login form posts off scope ({form.action[:100]}); refusing to submit it")
        fields = [
            (f.name, f.value)
            for f in filled_fields(form)
            if f.name not in (c.username_field, c.password_field) and f.type != "file"
        ]
        fields += [(c.username_field, username), (c.password_field, password)]
        if form.method == "GET":
            spec = RequestSpec(url=action.split("?", 1)[0], params=tuple(fields))
        else:
            spec = RequestSpec(url=action, method=form.method, form=tuple(fields))
        return await self._land(probe, page, await probe.send(spec, retry=retry))

    async def _land(self, probe: ProbeClient, page: Exchange | None, answer: Exchange) -> Submission:
        """Follow the answer's redirect (if any, in scope) in the same probe, as a browser would."""
        landed = None
        target = answer.location and probe.engine.scope.resolve(answer.location, answer.url)
        if target:
            try:
                landed = await probe.get(target, follow_redirects=True)
            except RequestFailed:
                landed = None
        return Submission(form_page=page, answer=answer, landed=landed)

    async def login(self, probe: ProbeClient) -> Submission:
        """Log in with the configured credentials; raises LoginFailed when the answer refuses it."""
        c = self.config
        if c.username is None or c.password is None:
            raise LoginFailed("no credentials configured (--username and --password or --password-env)")
        submission = await self.submit(probe, c.username, c.password.reveal().decode())
        if submission.refused:
            raise LoginFailed(
                f"the login was refused (HTTP {submission.answer.status} from {submission.answer.url}): "
                "check --username/--password and the field names"
            )
        token = submission.token
        if token is not None:
            probe.engine.redactor.add_secret(token)
            probe.engine.redactor.add_secret(token.partition(" ")[2])
            probe.auth_headers = [("authorization", token)]
        return submission


__all__ = [
    "REFUSED_STATUSES",
    "TOKEN_FIELDS",
    "TOKEN_HEADERS",
    "LoginFlow",
    "Submission",
    "pick_form",
    "token_in",
]
