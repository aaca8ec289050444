"""SNT908 template-from-request: a template compiled from request data (CWE-1336).

**What it detects.** A template *source* that comes from the request in the same function:
``jinja2.Template(source)``, ``<environment>.from_string(source)`` (Jinja's ``Environment``, Flask's
``render_template_string``), ``mako.template.Template(source)``, ``django.template.Template(source)``,
``django.template.engines[...].from_string(source)``, Tornado's ``Template``. Rendering a fixed
template *with* request data as variables is fine and is not reported.

**Why it matters.** Server-side template injection: template languages reach Python objects
(``{{ cycler.__init__.__globals__.os.popen('id').read() }}`` in Jinja), so whoever writes the
template runs code on the server.

**Example evidence.** ``Environment().from_string(request.query_params["t"]).render()``.

**How to fix.** Load templates from files you control and pass request data only as variables;
if users must write templates, use Jinja's ``SandboxedEnvironment`` and still treat it as risky.

Request data is followed as in :mod:`sentinel_bandit._taint` (variables, formatting, same-module
helpers). ``html.escape``/``markupsafe.escape`` do not clean a template source: ``{{ }}`` survives.

Severity high, confidence high.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import TEMPLATE_INJECTION

SINKS = (
    Sink(
        label="a template",
        select=arg(0, "source"),
        names=names(
            "jinja2.Template",
            "jinja2.environment.Template",
            "mako.template.Template",
            "django.template.Template",
            "flask.render_template_string",
            "quart.render_template_string",
            "tornado.template.Template",
        ),
    ),
    Sink(label="from_string()", select=arg(0, "source"), methods=frozenset({"from_string"})),
)


@plugin(TEMPLATE_INJECTION, "Call")
def sentinel_template_from_request(context: Context) -> Any:
    return taint_issue(
        TEMPLATE_INJECTION,
        context,
        SINKS,
        Kind.TEMPLATE,
        lambda sink, evidence: (
            f"{sink.label} compiled from {evidence} (server-side template injection runs "
            "code); render fixed templates with request data as variables"
        ),
    )
