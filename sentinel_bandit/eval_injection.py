"""SNT909 eval-of-request-data: ``eval``, ``exec`` or ``compile`` on request data (CWE-95).

**What it detects.** The built-ins ``eval``, ``exec`` and ``compile`` (not shadowed by an import)
called with code that comes from the request. bandit's B307/B102 report every
``eval``/``exec`` at medium severity; this rule singles out the ones the client controls.
``ast.literal_eval`` is not reported.

**Why it matters.** Eval injection: the client's text runs as Python in the server process.

**Example evidence.** ``eval(request.query_params["expr"])``.

**How to fix.** Parse the input instead: ``json.loads``, ``ast.literal_eval`` for Python literals, or
a small grammar for expressions.

Request data is followed as in :mod:`sentinel_bandit._taint`: through variables, formatting,
same-module helpers, and what is read from a file or URL the client named (remote file inclusion:
``exec(urlopen(request_value).read())``).

Severity high, confidence high.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import EVAL_INJECTION

SINKS = (Sink(label="eval/exec", select=arg(0, "source"), names=names("eval", "exec", "compile")),)


@plugin(EVAL_INJECTION, "Call")
def sentinel_eval_of_request_data(context: Context) -> Any:
    return taint_issue(
        EVAL_INJECTION,
        context,
        SINKS,
        Kind.CODE,
        lambda sink, evidence: (
            f"{sink.label} on {evidence} runs the client's code; parse the input "
            "(json, ast.literal_eval) instead"
        ),
    )
