"""The rules Sentinel's bandit plugins report: one per plugin, each with a stable ID and a CWE.

This module imports nothing from bandit, so the gate, the docs and the tests can read the rules
without loading the plugins.

**Why ``SNT9xx`` and not ``B9xx``.** bandit does not validate plugin IDs: ``_test_id`` is any string,
and ``-t``/``-s``, profiles and ``# nosec`` comments look IDs up by exact match (``# nosec``
accepts ``B123`` or any ``[a-z0-9_]+`` word, so ``# nosec SNT904`` works). The ``B`` prefix is
bandit's own namespace: ``B1xx``-``B7xx`` are taken today (misc, framework misconfiguration, call
and import blacklists, crypto, injection, XSS) and bandit is free to fill ``B8xx``/``B9xx`` later.
``SNT`` is Sentinel's prefix: the scanner's dynamic rules are ``SNT1xx``, and ``SNT9xx`` is reserved
for these static rules, so one baseline and one SARIF rule vocabulary cover both halves of the gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["LOW", "MEDIUM", "HIGH"]


@dataclass(frozen=True, kw_only=True)
class PluginRule:
    """One static rule. ``function`` is both the plugin function and its ``bandit.plugins`` entry point
    name (bandit reports it as ``test_name``); ``module`` is where its documentation lives."""

    id: str
    name: str
    cwe: int
    severity: Level
    summary: str
    module: str
    function: str

    @property
    def entry_point(self) -> str:
        """The line for ``[project.entry-points."bandit.plugins"]``."""
        return f'{self.function} = "sentinel_bandit.{self.module}:{self.function}"'


def _rule(id_: str, name: str, cwe: int, severity: Level, summary: str, module: str) -> PluginRule:
    return PluginRule(
        id=id_,
        name=name,
        cwe=cwe,
        severity=severity,
        summary=summary,
        module=module,
        function="sentinel_" + name.replace("-", "_"),
    )


COOKIE_SESSIONS = _rule(
    "SNT901",
    "cookie-session-middleware",
    613,
    "MEDIUM",
    "Starlette's cookie SessionMiddleware: the session lives in the cookie and cannot be revoked server-side",
    "cookie_sessions",
)
SESSION_ROTATION = _rule(
    "SNT902",
    "session-not-rotated-at-login",
    384,
    "HIGH",
    "A login handler writes to the session without rotating the session ID (session fixation)",
    "session_rotation",
)
SESSION_FROM_QUERY = _rule(
    "SNT903",
    "session-id-from-query",
    598,
    "HIGH",
    "A session ID is read from the query string instead of only from the cookie",
    "session_from_query",
)
FAST_PASSWORD_HASH = _rule(
    "SNT904",
    "fast-password-hash",
    916,
    "HIGH",
    "A fast hash (md5, sha1, sha2, ...) is applied to a password; use argon2id",
    "fast_password_hash",
)
WEAK_ARGON2 = _rule(
    "SNT905",
    "weak-argon2-parameters",
    916,
    "HIGH",
    "argon2 cost parameters below OWASP's minimum (19 MiB with t>=2, or an equivalent row)",
    "weak_argon2",
)
UNSAFE_XML = _rule(
    "SNT906",
    "unsafe-xml-parsing",
    611,
    "MEDIUM",
    "XML parsed without defusedxml/sentinel.xml, or with entity resolution or DTD loading enabled",
    "unsafe_xml",
)
FORMAT_STRING = _rule(
    "SNT907",
    "format-string-from-request",
    134,
    "MEDIUM",
    "str.format is called on a format string taken from the request",
    "format_string_injection",
)
TEMPLATE_INJECTION = _rule(
    "SNT908",
    "template-from-request",
    1336,
    "HIGH",
    "A template (Jinja from_string/Template, Mako, Django) is compiled from request data",
    "template_injection",
)
EVAL_INJECTION = _rule(
    "SNT909",
    "eval-of-request-data",
    95,
    "HIGH",
    "eval, exec or compile is applied to request data",
    "eval_injection",
)
HARDCODED_SECRET_KEY = _rule(
    "SNT910",
    "hardcoded-secret-key",
    321,
    "HIGH",
    "A session or signing secret key is written in the source code",
    "hardcoded_secret_key",
)
SQL_INJECTION = _rule(
    "SNT911",
    "sql-injection",
    89,
    "HIGH",
    "Request data, or a parameter formatted into the text, reaches a SQL query (execute, text(), raw)",
    "sql_injection",
)
COMMAND_INJECTION = _rule(
    "SNT912",
    "command-injection",
    78,
    "HIGH",
    "Request data reaches a shell command (os.system, subprocess with shell=True) or a program name",
    "command_injection",
)
PATH_TRAVERSAL = _rule(
    "SNT913",
    "path-traversal",
    22,
    "HIGH",
    "Request data chooses a file path that is opened or sent (open, send_file, FileResponse)",
    "path_traversal",
)
SSRF = _rule(
    "SNT914",
    "server-side-request-forgery",
    918,
    "HIGH",
    "Request data chooses the URL (host included) the server fetches (requests, httpx, urlopen)",
    "ssrf",
)
OPEN_REDIRECT = _rule(
    "SNT915",
    "open-redirect",
    601,
    "MEDIUM",
    "Request data chooses where a redirect goes (redirect, RedirectResponse, HttpResponseRedirect)",
    "open_redirect",
)
XPATH_INJECTION = _rule(
    "SNT916",
    "xpath-injection",
    643,
    "HIGH",
    "Request data is formatted into an XPath expression (lxml xpath, XPath)",
    "xpath_injection",
)
UNSAFE_DESERIALIZATION = _rule(
    "SNT917",
    "deserialization-of-request-data",
    502,
    "HIGH",
    "Request data is deserialized by pickle, marshal, yaml.load (unsafe loader) or similar",
    "unsafe_deserialization",
)
REFLECTED_XSS = _rule(
    "SNT918",
    "reflected-xss",
    79,
    "MEDIUM",
    "Request data reaches HTML unescaped (Markup, mark_safe, HTMLResponse, HttpResponse, a Flask view's str)",
    "reflected_xss",
)

#: Every rule, by ID.
RULES: tuple[PluginRule, ...] = (
    COOKIE_SESSIONS,
    SESSION_ROTATION,
    SESSION_FROM_QUERY,
    FAST_PASSWORD_HASH,
    WEAK_ARGON2,
    UNSAFE_XML,
    FORMAT_STRING,
    TEMPLATE_INJECTION,
    EVAL_INJECTION,
    HARDCODED_SECRET_KEY,
    SQL_INJECTION,
    COMMAND_INJECTION,
    PATH_TRAVERSAL,
    SSRF,
    OPEN_REDIRECT,
    XPATH_INJECTION,
    UNSAFE_DESERIALIZATION,
    REFLECTED_XSS,
)
RULES_BY_ID: dict[str, PluginRule] = {r.id: r for r in RULES}

__all__ = [
    "COMMAND_INJECTION",
    "COOKIE_SESSIONS",
    "EVAL_INJECTION",
    "FAST_PASSWORD_HASH",
    "FORMAT_STRING",
    "HARDCODED_SECRET_KEY",
    "OPEN_REDIRECT",
    "PATH_TRAVERSAL",
    "REFLECTED_XSS",
    "RULES",
    "RULES_BY_ID",
    "SESSION_FROM_QUERY",
    "SESSION_ROTATION",
    "SQL_INJECTION",
    "SSRF",
    "TEMPLATE_INJECTION",
    "UNSAFE_DESERIALIZATION",
    "UNSAFE_XML",
    "WEAK_ARGON2",
    "XPATH_INJECTION",
    "Level",
    "PluginRule",
]
