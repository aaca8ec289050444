"""SNT918 reflected-xss: request data reaches HTML without escaping (CWE-79).

**What it detects.** Request data (see :mod:`sentinel_bandit._sources`) that reaches

- markup marked safe: ``markupsafe.Markup``/``flask.Markup``, Django's ``mark_safe``/``format_html``
  format string;
- an HTML response body: Starlette/FastAPI ``HTMLResponse``, Django ``HttpResponse`` (``text/html``
  by default), Flask/Quart ``make_response``;
- the return value of a Flask/Quart/bottle view, when it is a string built with an HTML literal
  (``return "<h1>Hello %s</h1>" % name``): those frameworks serve a returned ``str`` as
  ``text/html``. FastAPI serialises a returned ``str`` as JSON and is not reported there.

``html.escape``, ``markupsafe.escape`` and Django's ``escape`` clean a value; templates rendered by
Jinja with autoescaping, or by Django, escape by themselves and are not sinks.

**Why it matters.** The client's text becomes the page's markup: ``<script>`` in a link runs in the
victim's session (cookies without ``HttpOnly``, CSRF tokens, anything the page can do).

**Example evidence.** ``return HTMLResponse(f"<p>Results for {request.query_params['q']}</p>")``.

**How to fix.** Render templates with autoescaping, or escape each value (``markupsafe.escape``)
before it joins the markup; never mark request data safe.

Severity medium, confidence high.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from sentinel_bandit._ast import enclosing_function
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind, is_route, module_taint
from sentinel_bandit.rules import REFLECTED_XSS

SINKS = (
    Sink(
        label="markup marked safe",
        select=arg(0, "base"),
        names=names(
            "markupsafe.Markup",
            "flask.Markup",
            "jinja2.Markup",
            "django.utils.safestring.mark_safe",
            "django.utils.html.format_html",
        ),
    ),
    Sink(
        label="an HTML response",
        select=arg(0, "content"),
        names=names(
            "starlette.responses.HTMLResponse",
            "fastapi.responses.HTMLResponse",
            "django.http.HttpResponse",
            "flask.make_response",
            "quart.make_response",
        ),
    ),
)
_HTML_VIEWS = ("flask", "quart", "bottle")
_TAG = re.compile(r"<[a-zA-Z!/]")


def _html_literal(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and _TAG.search(n.value)
        for n in ast.walk(node)
    )


def _returned_html(context: Context) -> Any:
    node = context.node
    if not isinstance(node, ast.Return) or node.value is None:
        return None
    if not any(v.split(".")[0] in _HTML_VIEWS for v in context.import_aliases.values()):
        return None
    built = isinstance(node.value, ast.BinOp | ast.JoinedStr | ast.Name) or (
        isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "format"
    )
    func = enclosing_function(node)
    if not built or func is None or not is_route(func) or not _html_literal(node.value):
        return None
    analysis = module_taint(node)
    flow = None if analysis is None else analysis.flow(node.value, Kind.HTML)
    if flow is None:
        return None
    return issue(
        REFLECTED_XSS,
        node,
        f"{flow.evidence} returned in HTML without escaping (XSS); escape it (markupsafe.escape) or use "
        "a template",
        confidence=flow.confidence,
    )


@plugin(REFLECTED_XSS, "Call", "Return")
def sentinel_reflected_xss(context: Context) -> Any:
    if isinstance(context.node, ast.Return):
        return _returned_html(context)
    return taint_issue(
        REFLECTED_XSS,
        context,
        SINKS,
        Kind.HTML,
        lambda sink, evidence: (
            f"{evidence} reaches {sink.label} without escaping (XSS); escape it "
            "(markupsafe.escape) or render a template"
        ),
    )
