"""SNT908 template-from-request: a template compiled from request data (CWE-1336).

**What it detects.** A template *source* that comes from the request in the same function:
``jinja2.Template(source)``, ``<environment>.from_string(source)`` (Jinja's ``Environment``, Flask's
``render_template_string``), ``mako.template.Template(source)``, ``django.template.Template(source)``,
``django.template.engines[...].from_string(source)``. Rendering a fixed template *with* request data
as variables is fine and is not reported.

**Why it matters.** Server-side template injection: template languages reach Python objects
(``{{ cycler.__init__.__globals__.os.popen('id').read() }}`` in Jinja), so whoever writes the
template runs code on the server.

**Example evidence.** ``Environment().from_string(request.query_params["t"]).render()``.

**How to fix.** Load templates from files you control and pass request data only as variables;
if users must write templates, use Jinja's ``SandboxedEnvironment`` and still treat it as risky.

Severity high. Confidence high when the request is read in the same expression, medium when through
a variable.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import argument, call_qualname
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit._taint import taint_at
from sentinel_bandit.rules import TEMPLATE_INJECTION

TEMPLATE_CLASSES = frozenset(
    {"jinja2.Template", "jinja2.environment.Template", "mako.template.Template", "django.template.Template"}
    | {"flask.render_template_string", "quart.render_template_string"}
)


def _template_source(call: ast.Call, aliases: dict[str, str]) -> ast.expr | None:
    if call_qualname(call, aliases) in TEMPLATE_CLASSES:
        return argument(call, 0, "source")
    if isinstance(call.func, ast.Attribute) and call.func.attr == "from_string":
        return argument(call, 0, "source")
    return None


@plugin(TEMPLATE_INJECTION, "Call")
def sentinel_template_from_request(context: Context) -> Any:
    call = context.node
    if not isinstance(call, ast.Call):
        return None
    source = _template_source(call, context.import_aliases)
    if source is None:
        return None
    taint = taint_at(call, context.import_aliases)
    if not taint.tainted(source):
        return None
    return issue(
        TEMPLATE_INJECTION,
        call,
        "template compiled from request data (server-side template injection runs code); render fixed "
        "templates with request data as variables",
        confidence="HIGH" if taint.direct(source) else "MEDIUM",
    )
