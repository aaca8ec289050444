"""SNT916 xpath-injection: request data in an XPath expression (CWE-643).

**What it detects.** Request data (see :mod:`sentinel_bandit._sources`) in the expression given to
lxml's ``xpath()`` method (on trees and elements), ``lxml.etree.XPath``, or
``lxml.etree.XPathEvaluator``. Values passed as XPath variables
(``tree.xpath("//user[name=$name]", name=value)``) are bound, not parsed, and are not reported;
``html.escape``/``markupsafe.escape`` (which escape both quotes) clean a value for a quoted literal.

**Why it matters.** The client rewrites the query: ``' or '1'='1`` returns every node, and
boolean/blind probing reads the whole document (passwords included) one character at a time.

**Example evidence.** ``tree.xpath(".//user[name/text()='%s']" % params["name"])``.

**How to fix.** Pass values as XPath variables: ``tree.xpath("//user[name=$name]", name=value)``.

Severity high.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import XPATH_INJECTION

SINKS = (
    Sink(label="xpath()", select=arg(0, "_path"), methods=frozenset({"xpath"})),
    Sink(
        label="XPath()",
        select=arg(0, "path"),
        names=names("lxml.etree.XPath", "lxml.etree.XPathEvaluator", "lxml.etree.ETXPath"),
    ),
)


@plugin(XPATH_INJECTION, "Call")
def sentinel_xpath_injection(context: Context) -> Any:
    return taint_issue(
        XPATH_INJECTION,
        context,
        SINKS,
        Kind.XPATH,
        lambda sink, evidence: (
            f"{evidence} formatted into the expression of {sink.label}; pass values as "
            "XPath variables ($name)"
        ),
    )
