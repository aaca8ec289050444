"""SNT909 eval-of-request-data: ``eval``, ``exec`` or ``compile`` on request data (CWE-95).

**What it detects.** The built-ins ``eval``, ``exec`` and ``compile`` (not shadowed by an import)
called with code that comes from the request in the same function. bandit's B307/B102 report every
``eval``/``exec`` at medium severity; this rule singles out the ones the client controls.
``ast.literal_eval`` is not reported.

**Why it matters.** Eval injection: the client's text runs as Python in the server process.

**Example evidence.** ``eval(request.query_params["expr"])``.

**How to fix.** Parse the input instead: ``json.loads``, ``ast.literal_eval`` for Python literals, or
a small grammar for expressions.

Severity high. Confidence high when the request is read in the same expression, medium when through
a variable.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import argument
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit._taint import taint_at
from sentinel_bandit.rules import EVAL_INJECTION

EVALUATORS = {"eval": "source", "exec": "source", "compile": "source"}


@plugin(EVAL_INJECTION, "Call")
def sentinel_eval_of_request_data(context: Context) -> Any:
    call = context.node
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        return None
    name = call.func.id
    if name not in EVALUATORS or name in context.import_aliases:
        return None
    code = argument(call, 0, EVALUATORS[name])
    if code is None:
        return None
    taint = taint_at(call, context.import_aliases)
    if not taint.tainted(code):
        return None
    return issue(
        EVAL_INJECTION,
        call,
        f"{name}() on request data runs the client's code; parse the input (json, ast.literal_eval) instead",
        confidence="HIGH" if taint.direct(code) else "MEDIUM",
    )
