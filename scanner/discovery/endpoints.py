"""Endpoints, their parameters, and the insertion points active checks put payloads into.

Discovery (crawl, OpenAPI, an endpoints file) produces :class:`Endpoint` values. An endpoint knows
how to build its baseline :class:`~scanner.http.exchange.RequestSpec`, and each of its parameters is
an :class:`InsertionPoint` whose :meth:`~InsertionPoint.inject` builds the same request with one
value replaced (or extended) by a payload. The injection checks of issue #7 work only through this
seam, so a new parameter location (say, headers) is added here once and every check gains it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from scanner.discovery.fill import filled_fields
from scanner.discovery.html import Form
from scanner.errors import ScanConfigError
from scanner.http.exchange import FilePart, RequestSpec

ParamLocation = Literal["query", "form", "json", "path", "header", "xml", "file"]
#: The name of the one parameter that stands for a whole XML request body.
XML_BODY = "(xml body)"
InjectMode = Literal["replace", "append"]
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """A named input with a benign example value (from the page, the OpenAPI example, or "1").

    ``kind`` is the form control's type (``text``, ``password``, ``email``, ``file``...) or
    ``openapi``; ``placeholder`` is the page's hint (an XML-taking field often shows XML there). A
    ``file`` parameter is a file-upload field: its value is a file name, and the text checks leave it
    alone (see :func:`scanner.active.points.file_points`)."""

    name: str
    location: ParamLocation
    value: str = ""
    kind: str = "text"
    placeholder: str = ""


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """A method + URL (no query string; ``{name}`` marks path parameters) and its parameters."""

    method: str
    url: str
    parameters: tuple[Parameter, ...] = ()
    source: str = "crawl"
    #: The page a form was found on: where a fresh anti-CSRF token is read before each unsafe probe.
    page: str | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        return (self.method, self.url, tuple(sorted((p.location, p.name) for p in self.parameters)))

    @property
    def body_format(self) -> Literal["none", "form", "json", "xml", "multipart"]:
        locations = {p.location for p in self.parameters}
        if "file" in locations:
            return "multipart"
        if "xml" in locations:
            return "xml"
        if "json" in locations:
            return "json"
        if "form" in locations or self.method in ("POST", "PUT", "PATCH"):
            return "form"
        return "none"

    def request(
        self,
        values: Mapping[tuple[str, str], str] | None = None,
        *,
        files: Mapping[str, FilePart] | None = None,
    ) -> RequestSpec:
        """The request with each parameter's example value, or ``values[(location, name)]``; a file
        field sends ``files[name]``, else a small text file named by its example value."""
        chosen = values or {}
        uploads = files or {}

        def value(p: Parameter) -> str:
            return chosen.get((p.location, p.name), p.value)

        url = self.url
        for p in self.parameters:
            if p.location == "path":
                url = url.replace("{" + p.name + "}", quote(value(p), safe=""))
        query = tuple((p.name, value(p)) for p in self.parameters if p.location == "query")
        form = tuple((p.name, value(p)) for p in self.parameters if p.location == "form")
        body_json = {p.name: value(p) for p in self.parameters if p.location == "json"}
        headers = tuple((p.name, value(p)) for p in self.parameters if p.location == "header")
        xml = next((value(p) for p in self.parameters if p.location == "xml"), None)
        fmt = self.body_format
        parts = tuple(
            uploads.get(p.name)
            or FilePart(
                field=p.name,
                filename=p.value or "sentinel.txt",
                content=b"sentinel",
                content_type="text/plain",
            )
            for p in self.parameters
            if p.location == "file"
        )
        return RequestSpec(
            url=url,
            method=self.method,
            params=query,
            form=form if fmt in ("form", "multipart") else None,
            files=parts,
            json_body=body_json if fmt == "json" else None,
            headers=headers,
            content=xml.encode() if xml is not None else None,
            content_type="application/xml" if xml is not None else None,
        )

    def insertion_points(self) -> tuple[InsertionPoint, ...]:
        return tuple(InsertionPoint(endpoint=self, parameter=p) for p in self.parameters)


@dataclass(frozen=True, kw_only=True)
class InsertionPoint:
    """One parameter of one endpoint, where an active check puts its payload."""

    endpoint: Endpoint
    parameter: Parameter

    def inject(self, payload: str, *, mode: InjectMode = "replace") -> RequestSpec:
        p = self.parameter
        if p.location == "file":  # the payload is the uploaded file's content
            return self.inject_file(payload.encode(), filename=p.value or "sentinel.txt")
        value = payload if mode == "replace" else p.value + payload
        return self.endpoint.request({(p.location, p.name): value})

    def inject_file(
        self, content: bytes, *, filename: str, content_type: str = "application/octet-stream"
    ) -> RequestSpec:
        """The request with this file field carrying ``content`` (an XML, SVG or DOCX payload)."""
        part = FilePart(
            field=self.parameter.name, filename=filename, content=content, content_type=content_type
        )
        return self.endpoint.request(files={self.parameter.name: part})


def endpoint_from_url(
    method: str, url: str, *, source: str, form: list[tuple[str, str]] | None = None
) -> Endpoint:
    """An endpoint from a concrete URL: its query string becomes query parameters."""
    parts = urlsplit(url)
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
    params = [
        Parameter(name=k, location="query", value=v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    params += [Parameter(name=k, location="form", value=v) for k, v in form or []]
    return Endpoint(method=method.upper(), url=bare, parameters=tuple(params), source=source)


def endpoint_from_form(
    method: str, action: str, form: Form, *, source: str = "crawl", page: str | None = None
) -> Endpoint:
    """An endpoint from a form, every field filled as a person would (see
    :mod:`scanner.discovery.fill`). A GET form's fields replace the action's query string, as
    browsers do; a POST form keeps it and sends its fields (and files) in the body."""
    base = endpoint_from_url(method, action, source=source)
    get = base.method == "GET"
    params = [] if get else list(base.parameters)
    for f in filled_fields(form):
        where: ParamLocation = "query" if get else ("file" if f.type == "file" else "form")
        params.append(
            Parameter(name=f.name, location=where, value=f.value, kind=f.type, placeholder=f.placeholder)
        )
    return replace(base, parameters=tuple(params), page=page)


def load_endpoints_file(path: Path, base_url: str) -> list[Endpoint]:
    """Read an endpoints file: one ``[METHOD] URL-or-path [body]`` per line; ``#`` starts a comment.

    ``body`` is ``a=1&b=2`` (a form), a JSON object, or an XML document. Example::

        GET /search?q=apple
        POST /login username=alice&password=x
        POST /api/notes {"title": "t", "body": "b"}
        POST /api/import <order><item>apple</item></order>
    """
    from urllib.parse import urljoin

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ScanConfigError([f"cannot read --endpoints file {path}: {exc.strerror or exc}"]) from exc
    endpoints, problems = [], []
    for number, line in enumerate(lines, 1):
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        method, _, rest = (
            line.partition(" ") if line.split(" ", 1)[0].upper() in _METHODS else ("GET", "", line)
        )
        target, _, body = rest.strip().partition(" ")
        url = urljoin(base_url, target)
        body = body.strip()
        if body.startswith("{"):
            try:
                data = json.loads(body)
            except json.JSONDecodeError:
                problems.append(f"{path}:{number}: the body is not valid JSON")
                continue
            if not isinstance(data, dict):
                problems.append(f"{path}:{number}: a JSON body must be an object")
                continue
            base = endpoint_from_url(method, url, source="file")
            extra = tuple(Parameter(name=str(k), location="json", value=str(v)) for k, v in data.items())
            endpoints.append(
                Endpoint(method=base.method, url=base.url, parameters=base.parameters + extra, source="file")
            )
        elif body.startswith("<"):
            base = endpoint_from_url(method, url, source="file")
            xml = Parameter(name=XML_BODY, location="xml", value=body)
            endpoints.append(replace(base, parameters=(*base.parameters, xml)))
        else:
            form = parse_qsl(body, keep_blank_values=True) if body else None
            endpoints.append(endpoint_from_url(method, url, source="file", form=form))
    if problems:
        raise ScanConfigError(problems)
    return endpoints


__all__ = [
    "XML_BODY",
    "Endpoint",
    "InjectMode",
    "InsertionPoint",
    "ParamLocation",
    "Parameter",
    "endpoint_from_form",
    "endpoint_from_url",
    "load_endpoints_file",
]
