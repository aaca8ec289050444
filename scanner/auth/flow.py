"""Perform a login: read the login form and submit it (hidden fields, such as CSRF tokens, included),
or post JSON. The same code submits the brute-force check's deliberately wrong attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from scanner.config import LoginConfig
from scanner.discovery.fill import filled_fields
from scanner.discovery.html import Form, parse_html
from scanner.errors import LoginFailed
from scanner.http.exchange import Exchange, RequestSpec
from scanner.http.probe import ProbeClient

#: Answers that mean "these credentials were not accepted" whatever the body says.
REFUSED_STATUSES = frozenset({400, 401, 403, 404, 405, 422, 423, 429})


@dataclass(frozen=True, kw_only=True)
class Submission:
    """One login attempt: the page the form came from (if any) and the answer to the submission."""

    form_page: Exchange | None
    answer: Exchange

    @property
    def refused(self) -> bool:
        """The attempt visibly failed: an error status, or the password form shown again."""
        answer = self.answer
        if answer.status in REFUSED_STATUSES or answer.status >= 500:
            return True
        return (
            answer.status == 200
            and answer.is_html
            and any(f.has_password for f in parse_html(answer.text).forms)
        )


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
            return Submission(form_page=None, answer=await probe.send(spec, retry=retry))
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
            spec = RequestSpec(url=action, params=tuple(fields))
        else:
            spec = RequestSpec(url=action, method=form.method, form=tuple(fields))
        return Submission(form_page=page, answer=await probe.send(spec, retry=retry))

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
        return submission


__all__ = ["REFUSED_STATUSES", "LoginFlow", "Submission", "pick_form"]
