"""Redaction: evidence never carries a session ID, a password or an Authorization value.

Redaction happens once, where evidence is captured (:meth:`Redactor.request` / :meth:`response`), so
every formatter downstream is safe by construction. What is masked:

- the ``Cookie``, ``Set-Cookie`` and ``Authorization`` values (cookie *names* and attributes stay, as
  they are the evidence for the cookie-flag checks);
- form and JSON fields whose name looks secret (password, token, secret, ...);
- every literal value the scan registered as secret (the configured password, each session ID seen),
  wherever it appears: in URLs, Location headers and bodies. An ID in a URL then reads
  ``?sid=[session-id]``, which still shows the flaw without handing the ID over.
"""

from __future__ import annotations

import re

from scanner.http.exchange import Exchange

SECRET_FIELD = re.compile(r"pass|pwd|secret|token|csrf|auth|key|otp", re.I)
SESSION_MARK = "[session-id]"
SECRET_MARK = "[redacted]"  # noqa: S105 - the mask, not a secret
_MIN_SECRET_LENGTH = 4
BODY_EXCERPT = 600
_COOKIE_PAIR = re.compile(r"(?P<name>[^=;,\s]+)=(?P<value>[^;]*)")
_FORM_FIELD = re.compile(r"(?P<name>[^&=]+)=(?P<value>[^&]*)")
_JSON_FIELD = re.compile(r'"(?P<name>[^"]+)"\s*:\s*"(?P<value>(?:[^"\\]|\\.)*)"')


class Redactor:
    """Masks registered secrets and secret-looking fields. Register values as soon as they are seen."""

    def __init__(self) -> None:
        self._session_values: set[str] = set()
        self._secret_values: set[str] = set()

    def add_session_id(self, value: str) -> None:
        if len(value) >= _MIN_SECRET_LENGTH:
            self._session_values.add(value)

    def add_secret(self, value: str) -> None:
        if len(value) >= _MIN_SECRET_LENGTH:
            self._secret_values.add(value)

    def text(self, text: str) -> str:
        """Replace every registered value (longest first, so a value inside another cannot leak)."""
        marks = [(v, SECRET_MARK) for v in self._secret_values]
        marks += [(v, SESSION_MARK) for v in self._session_values]
        for value, mark in sorted(marks, key=lambda item: -len(item[0])):
            if value in text:
                text = text.replace(value, mark)
        return text

    def _header(self, name: str, value: str) -> str:
        if name in ("cookie", "set-cookie"):
            return _COOKIE_PAIR.sub(
                lambda m: f"{m['name']}={SECRET_MARK}" if _is_cookie_pair(m, value) else m[0], value
            )
        if name in ("authorization", "proxy-authorization"):
            scheme = value.split(" ", 1)[0] if " " in value else ""
            return f"{scheme} {SECRET_MARK}".strip()
        return self.text(value)

    def _body(self, body: str) -> str:
        body = _FORM_FIELD.sub(lambda m: _mask_field(m, "{n}={v}"), body)
        body = _JSON_FIELD.sub(lambda m: _mask_field(m, '"{n}": "{v}"'), body)
        return self.text(body)

    def request(self, exchange: Exchange) -> str:
        """``METHOD URL`` + headers + body excerpt, redacted."""
        lines = [f"{exchange.method} {self.text(exchange.url)}"]
        lines += [f"{k}: {self._header(k, v)}" for k, v in exchange.request_headers if k != "user-agent"]
        if exchange.request_body:
            body = exchange.request_body.decode("utf-8", errors="replace")[:BODY_EXCERPT]
            lines += ["", self._body(body)]
        return "\n".join(lines)

    def response(self, exchange: Exchange, *, body: bool = True) -> str:
        """Status line + headers + body excerpt, redacted."""
        lines = [f"HTTP {exchange.status}"]
        lines += [f"{k}: {self._header(k, v)}" for k, v in exchange.response_headers]
        if body and exchange.body:
            lines += ["", self._body(exchange.text[:BODY_EXCERPT])]
        return "\n".join(lines)


def _is_cookie_pair(match: re.Match[str], header: str) -> bool:
    """In a Set-Cookie header only the first pair is the cookie; the rest are attributes."""
    name = match["name"].lower()
    return name not in ("path", "domain", "expires", "max-age", "samesite", "priority", "partitioned")


def _mask_field(match: re.Match[str], template: str) -> str:
    name = match["name"]
    value = SECRET_MARK if SECRET_FIELD.search(name) and match["value"] else match["value"]
    return template.format(n=name, v=value)


__all__ = ["BODY_EXCERPT", "SECRET_FIELD", "SECRET_MARK", "SESSION_MARK", "Redactor"]
