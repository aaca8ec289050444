"""Where the active checks put payloads: an endpoint's parameters, plus configured headers.

The runner asks :func:`insertion_points` for every discovered endpoint. It returns the endpoint's own
parameters (query, form, JSON body fields, OpenAPI path segments, an XML body) minus the ones that
must not be fuzzed, plus one point per ``--inject-header``. Skipped: password, CSRF-token and OTP
fields. Fuzzing a password field sends failed logins for the form's default account (a lockout
risk on the target for nothing), and a mangled CSRF token only earns a 403.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from scanner.discovery.endpoints import XML_BODY, Endpoint, InsertionPoint, Parameter
from scanner.http.engine import USER_AGENT

if TYPE_CHECKING:
    from scanner.context import ScanContext

#: Parameter names never fuzzed (password, CSRF token, one-time code, captcha).
NEVER_FUZZED = re.compile(r"pass(?:word|wd|phrase)?|pwd|csrf|xsrf|token|nonce|otp|captcha", re.I)
_XML_NAME = re.compile(r"xml|soap|svg|rss|atom", re.I)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

PointKey = tuple[str, str, str, str]


def insertion_points(ctx: ScanContext, endpoint: Endpoint) -> tuple[InsertionPoint, ...]:
    """The points of ``endpoint`` the active checks test, in a stable order."""
    points = [p for p in endpoint.insertion_points() if not NEVER_FUZZED.search(p.parameter.name)]
    for name, value in ctx.config.inject_headers:
        header = Parameter(name=name, location="header", value=value or _benign(name, ctx.base_url))
        extended = replace(endpoint, parameters=(*endpoint.parameters, header))
        points.append(InsertionPoint(endpoint=extended, parameter=header))
    return tuple(points)


def _benign(header: str, base_url: str) -> str:
    lowered = header.lower()
    if lowered == "user-agent":
        return USER_AGENT
    if lowered == "referer":
        return base_url
    return "1"


def point_key(point: InsertionPoint) -> PointKey:
    """Identifies a point across checks (shared baselines and probes are keyed by it)."""
    p = point.parameter
    return (point.endpoint.method, point.endpoint.url, p.location, p.name)


def describe(point: InsertionPoint) -> str:
    """``query parameter 'q'``, ``header 'X-Tenant'``, ``XML body``: for messages."""
    p = point.parameter
    if p.location == "xml":
        return "the XML request body"
    kind = {
        "query": "query parameter",
        "form": "form field",
        "json": "JSON body field",
        "path": "path segment",
        "header": "header",
    }[p.location]
    return f"{kind} {p.name!r}"


def finding_parameter(point: InsertionPoint) -> str:
    """The parameter name a finding carries (headers are prefixed so they never clash with fields)."""
    p = point.parameter
    return f"header:{p.name}" if p.location == "header" else p.name


def looks_like_xml(value: str) -> bool:
    """An XML document (or fragment) in a value: starts with ``<`` and has a closing ``>``."""
    text = value.strip()
    return text.startswith("<") and text.endswith(">")


def carries_xml(point: InsertionPoint) -> bool:
    """Worth an XXE probe: an XML body, a value that is XML, or an empty field named like XML."""
    p = point.parameter
    if p.location == "xml" or p.name == XML_BODY:
        return True
    return looks_like_xml(p.value) or (not p.value.strip() and bool(_XML_NAME.search(p.name)))


def is_numeric(value: str) -> bool:
    return bool(_NUMBER.fullmatch(value.strip()))


__all__ = [
    "NEVER_FUZZED",
    "PointKey",
    "carries_xml",
    "describe",
    "finding_parameter",
    "insertion_points",
    "is_numeric",
    "looks_like_xml",
    "point_key",
]
