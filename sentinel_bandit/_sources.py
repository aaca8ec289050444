"""Where client data enters a Python web application: one :class:`SourceTable` per framework.

The taint engine (:mod:`sentinel_bandit._taint`) reads only the union of these tables, so supporting
another framework is one more table in :data:`SOURCE_TABLES`, nothing else.

A *request object* is a parameter named ``request``/``req``, a parameter annotated with one of the
``request_types``, ``self.request``, or one of the ``request_globals`` (Flask's ``request``). Reading
one of its ``attributes`` (``request.args``, ``await request.post()``) yields client data; the object
itself does not (``request.method``, ``request.user``, ``request.app`` are the server's).

Besides request objects, client data arrives as

- ``self.<attribute>`` in a subclass of one of the ``handler_bases`` (``http.server``: ``self.path``);
- the parameters of a route handler (``route_decorators``: FastAPI's ``q: str``, ``Form()``,
  ``Body()``, pydantic models; Flask's and Quart's view arguments) unless typed as a number, a UUID
  or a date, or injected with ``Depends``;
- the parameters after ``request`` of a Django view (``def view(request, slug)``), in modules that
  import Django, and ``self.kwargs`` in class-based views;
- a WSGI ``environ`` (a function taking ``environ`` and ``start_response``).

``sys.argv`` and ``os.environ`` are not sources: whoever sets them already runs code on the server.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SourceTable:
    """The sources of one framework (any field may be empty)."""

    framework: str
    request_types: frozenset[str] = frozenset()
    request_globals: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    handler_bases: frozenset[str] = frozenset()
    self_attributes: frozenset[str] = frozenset()
    route_decorators: frozenset[str] = frozenset()
    view_parameters_after_request: bool = False
    environ_parameters: frozenset[str] = frozenset()


def _set(*names: str) -> frozenset[str]:
    return frozenset(names)


_HTTP_METHODS = _set("get", "post", "put", "patch", "delete", "head", "options", "route", "api_route")

SOURCE_TABLES: tuple[SourceTable, ...] = (
    SourceTable(
        framework="Starlette/FastAPI",
        request_types=_set("Request", "WebSocket", "HTTPConnection"),
        attributes=_set(
            "query_params", "path_params", "form", "json", "body", "stream", "headers", "cookies", "url"
        ),
        route_decorators=_HTTP_METHODS | _set("websocket"),
    ),
    SourceTable(
        framework="Flask/Quart",
        request_globals=_set("flask.request", "quart.request", "bottle.request"),
        attributes=_set(
            "args",
            "form",
            "values",
            "json",
            "cookies",
            "headers",
            "data",
            "files",
            "get_json",
            "get_data",
            "view_args",
            "path",
            "full_path",
            "url",
            "base_url",
            "stream",
            "query_string",
        ),
        route_decorators=_HTTP_METHODS,
    ),
    SourceTable(
        framework="Django",
        request_types=_set("HttpRequest", "WSGIRequest", "ASGIRequest"),
        attributes=_set(
            "GET",
            "POST",
            "COOKIES",
            "META",
            "FILES",
            "body",
            "headers",
            "path",
            "path_info",
            "data",
            "query_params",
            "get_full_path",
            "build_absolute_uri",
        ),
        view_parameters_after_request=True,
        handler_bases=_set(
            "View",
            "TemplateView",
            "DetailView",
            "ListView",
            "FormView",
            "CreateView",
            "UpdateView",
            "DeleteView",
            "RedirectView",
            "APIView",
            "GenericAPIView",
            "ViewSet",
            "ModelViewSet",
        ),
        self_attributes=_set("kwargs", "args"),
    ),
    SourceTable(
        framework="aiohttp",
        request_types=_set("BaseRequest"),
        attributes=_set(
            "match_info",
            "post",
            "query",
            "json",
            "text",
            "read",
            "content",
            "multipart",
            "rel_url",
            "headers",
            "cookies",
            "path",
            "path_qs",
            "query_string",
            "raw_path",
            "url",
        ),
        route_decorators=_HTTP_METHODS,
    ),
    SourceTable(
        framework="http.server",
        handler_bases=_set(
            "BaseHTTPRequestHandler",
            "SimpleHTTPRequestHandler",
            "CGIHTTPRequestHandler",
            "StreamRequestHandler",
            "RequestHandler",
        ),
        self_attributes=_set(
            "path",
            "headers",
            "rfile",
            "requestline",
            "raw_requestline",
            "get_argument",
            "get_arguments",
            "get_query_argument",
            "get_body_argument",
            "get_cookie",
        ),
    ),
    SourceTable(framework="WSGI", environ_parameters=_set("environ")),
)

REQUEST_NAMES = _set("request", "req")
REQUEST_TYPES = frozenset().union(*(t.request_types for t in SOURCE_TABLES))
REQUEST_GLOBALS = frozenset().union(*(t.request_globals for t in SOURCE_TABLES))
REQUEST_ATTRIBUTES = frozenset().union(*(t.attributes for t in SOURCE_TABLES))
HANDLER_BASES = frozenset().union(*(t.handler_bases for t in SOURCE_TABLES))
HANDLER_ATTRIBUTES = frozenset().union(*(t.self_attributes for t in SOURCE_TABLES))
ROUTE_DECORATORS = frozenset().union(*(t.route_decorators for t in SOURCE_TABLES))
ENVIRON_PARAMETERS = frozenset().union(*(t.environ_parameters for t in SOURCE_TABLES))
VIEW_PARAMETERS_AFTER_REQUEST = any(t.view_parameters_after_request for t in SOURCE_TABLES)

#: Packages whose import makes a module a web application; and HTTP clients, whose ``request``
#: objects are outgoing (a module importing a client and no framework is client code).
WEB_FRAMEWORKS = _set(
    "starlette",
    "fastapi",
    "flask",
    "quart",
    "django",
    "aiohttp",
    "bottle",
    "tornado",
    "falcon",
    "pyramid",
    "sanic",
    "litestar",
    "werkzeug",
    "http",
    "wsgiref",
    "rest_framework",
    "sentinel",
)
HTTP_CLIENTS = _set("requests", "urllib3", "httpx", "httpcore", "pip", "botocore")

#: Parameter annotations that cannot carry an injection (the framework converts or rejects).
SAFE_ANNOTATIONS = _set(
    "int",
    "float",
    "bool",
    "complex",
    "UUID",
    "UUID4",
    "date",
    "datetime",
    "time",
    "timedelta",
    "Decimal",
    "PositiveInt",
    "NegativeInt",
    "conint",
    "confloat",
    "Literal",
    "BackgroundTasks",
    "Response",
    "Session",
    "AsyncSession",
    "SecurityScopes",
)
#: FastAPI dependency markers: the value comes from our code, not directly from the client.
INJECTED_DEFAULTS = _set("Depends", "Security")

__all__ = [
    "ENVIRON_PARAMETERS",
    "HANDLER_ATTRIBUTES",
    "HANDLER_BASES",
    "HTTP_CLIENTS",
    "INJECTED_DEFAULTS",
    "REQUEST_ATTRIBUTES",
    "REQUEST_GLOBALS",
    "REQUEST_NAMES",
    "REQUEST_TYPES",
    "ROUTE_DECORATORS",
    "SAFE_ANNOTATIONS",
    "SOURCE_TABLES",
    "VIEW_PARAMETERS_AFTER_REQUEST",
    "WEB_FRAMEWORKS",
    "SourceTable",
]
