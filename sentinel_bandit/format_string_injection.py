"""SNT907 format-string-from-request: ``str.format`` on a format string from the request (CWE-134).

**What it detects.** ``template.format(...)``, ``template.format_map(...)`` or
``str.format(template, ...)`` where ``template`` comes from the request (see
:mod:`sentinel_bandit._taint`). ``"Hello {}".format(request_value)`` is fine: the format string is a
literal, the request only fills a field.

**Why it matters.** A Python format string reaches attributes and items of its arguments:
``{user.__init__.__globals__[SECRET_KEY]}`` reads module globals, secrets included, through any
object passed to ``format``.

**Example evidence.** ``request.query_params["greeting"].format(user=user)``.

**How to fix.** Never let the client choose the format string; pick among fixed templates by key,
or use ``string.Template`` (``$name`` substitution only, no attribute access).

Severity medium, confidence high.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import FORMAT_STRING


def _format_receiver(call: ast.Call) -> list[ast.expr]:
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    return [] if receiver is None or isinstance(receiver, ast.Constant | ast.JoinedStr) else [receiver]


SINKS = (
    Sink(label="str.format", select=arg(0, "format_string"), names=names("str.format", "str.format_map")),
    Sink(label="str.format", select=_format_receiver, methods=frozenset({"format", "format_map"})),
)


@plugin(FORMAT_STRING, "Call")
def sentinel_format_string_from_request(context: Context) -> Any:
    return taint_issue(
        FORMAT_STRING,
        context,
        SINKS,
        Kind.FORMAT,
        lambda sink, evidence: (
            f"{sink.label} on a format string from {evidence}: fields like "
            "{x.__init__.__globals__} read secrets; use fixed templates"
        ),
    )
