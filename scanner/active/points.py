"""Where the active checks put payloads: an endpoint's parameters, plus configured headers.

The runner asks :func:`insertion_points` for every discovered endpoint. It returns the endpoint's own
parameters (query, form, JSON body fields, OpenAPI path segments, an XML body) minus the ones that
must not be fuzzed, plus one point per ``--inject-header``. Skipped: CSRF-token, OTP and captcha
fields (a mangled token only earns a 403). Password fields *are* points: the app may put them into
a query, and discovery fills every username-like field with a random name that cannot exist
(:data:`scanner.discovery.fill.PROBE_USER`), so no real account is locked out.

File-upload fields are not text: :func:`insertion_points` leaves them out, and :func:`file_points`
gives them to the checks that upload XML-bearing files (``InsertionPoint.inject_file``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from scanner.discovery.endpoints import XML_BODY, Endpoint, InsertionPoint, Parameter
from scanner.http.engine import USER_AGENT

if TYPE_CHECKING:
    from scanner.context import ScanContext

#: Parameter names never fuzzed (CSRF token, one-time code, captcha).
NEVER_FUZZED = re.compile(r"csrf|xsrf|token|nonce|otp|captcha", re.I)
_XML_NAME = re.compile(r"xml|soap|svg|rss|atom", re.I)
_FILLER = "test"  # the form filler's default free text
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

PointKey = tuple[str, str, str, str]


def insertion_points(ctx: ScanContext, endpoint: Endpoint) -> tuple[InsertionPoint, ...]:
    """The points of ``endpoint`` the active checks test, in a stable order."""
    points = [
        p
        for p in endpoint.insertion_points()
        if p.parameter.location != "file" and not NEVER_FUZZED.search(p.parameter.name)
    ]
    for name, value in ctx.config.inject_headers:
        header = Parameter(name=name, location="header", value=value or _benign(name, ctx.base_url))
        extended = replace(endpoint, parameters=(*endpoint.parameters, header))
        points.append(InsertionPoint(endpoint=extended, parameter=header))
    return tuple(points)


def file_points(endpoint: Endpoint) -> tuple[InsertionPoint, ...]:
    """The file-upload fields of ``endpoint``: the points a check fills with a file, not a string."""
    return tuple(p for p in endpoint.insertion_points() if p.parameter.location == "file")


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
        "file": "file-upload field",
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
    """Worth an XXE probe: an XML body or upload, a value or placeholder that is XML, or a field
    named like XML whose value is empty or a default filler."""
    p = point.parameter
    if p.location in ("xml", "file") or p.name == XML_BODY:
        return True
    if looks_like_xml(p.value) or looks_like_xml(p.placeholder):
        return True
    return bool(_XML_NAME.search(p.name)) and (not p.value.strip() or p.value == _FILLER)


def is_numeric(value: str) -> bool:
    return bool(_NUMBER.fullmatch(value.strip()))


__all__ = [
    "NEVER_FUZZED",
    "PointKey",
    "carries_xml",
    "describe",
    "file_points",
    "finding_parameter",
    "insertion_points",
    "is_numeric",
    "looks_like_xml",
    "point_key",
]
