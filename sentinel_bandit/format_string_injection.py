"""SNT907 format-string-from-request: ``str.format`` on a format string from the request (CWE-134).

**What it detects.** ``template.format(...)``, ``template.format_map(...)`` or
``str.format(template, ...)`` where ``template`` comes from the request in the same function (see
:mod:`sentinel_bandit._taint`). ``"Hello {}".format(request_value)`` is fine: the format string is a
literal, the request only fills a field.

**Why it matters.** A Python format string reaches attributes and items of its arguments:
``{user.__init__.__globals__[SECRET_KEY]}`` reads module globals, secrets included, through any
object passed to ``format``.

**Example evidence.** ``request.query_params["greeting"].format(user=user)``.

**How to fix.** Never let the client choose the format string; pick among fixed templates by key,
or use ``string.Template`` (``$name`` substitution only, no attribute access).

Severity medium. Confidence high when the request is read in the same expression, medium when
through a variable.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import call_qualname
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit._taint import taint_at
from sentinel_bandit.rules import FORMAT_STRING


def _format_string(call: ast.Call, aliases: dict[str, str]) -> ast.expr | None:
    if call_qualname(call, aliases) in ("str.format", "str.format_map"):
        return call.args[0] if call.args else None
    if isinstance(call.func, ast.Attribute) and call.func.attr in ("format", "format_map"):
        receiver = call.func.value
        return None if isinstance(receiver, ast.Constant | ast.JoinedStr) else receiver
    return None


@plugin(FORMAT_STRING, "Call")
def sentinel_format_string_from_request(context: Context) -> Any:
    call = context.node
    if not isinstance(call, ast.Call):
        return None
    template = _format_string(call, context.import_aliases)
    if template is None:
        return None
    taint = taint_at(call, context.import_aliases)
    if not taint.tainted(template):
        return None
    return issue(
        FORMAT_STRING,
        call,
        "str.format on a format string from the request: fields like {x.__init__.__globals__} read "
        "secrets; use fixed templates",
        confidence="HIGH" if taint.direct(template) else "MEDIUM",
    )
