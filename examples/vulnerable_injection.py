"""A DELIBERATELY VULNERABLE app: every injection flaw Sentinel's injection checks look for, on purpose.

Never deploy it. Serve it on loopback only: ``uvicorn examples.vulnerable_injection:app --host
127.0.0.1``; it also refuses any client that is not on loopback. The scanner's end-to-end tests and
``python -m bench injection`` serve it and scan it; ``examples/bait.py`` is its safe twin, full of
look-alikes that must *not* be reported. Every flaw uses the real component, not a simulation: an
in-memory ``sqlite3`` database seeded at start, lxml XPath, lxml's XML parser with entities enabled
(no network), ``jinja2`` ``from_string``, ``eval`` and ``str.format``.

Planted flaws (each the ground truth for one scanner rule; the code marks them ``# FLAW In``):

- I1  SQL injection, error-based: ``GET /products?q=`` pastes ``q`` into a ``LIKE`` and shows the
      ``sqlite3`` error on a debug page (SNT201, CWE-89).
- I2  SQL injection, boolean-blind, numeric, in an OpenAPI path segment: ``GET /api/items/{item_id}``
      (errors swallowed: a 404 is all you get) (SNT201).
- I3  SQL injection, error-based, in a JSON body field: ``POST /api/orders`` ``{"customer": ...}``;
      the error comes back in JSON. ``status`` in the same body is bound properly (SNT201).
- I4  SQL injection, time-based only: ``POST /track`` form field ``ref``; the answer is the same
      whatever the query returns or raises, so only time tells (found at ``--level 2`` and 3) (SNT201).
- I5  SQL injection in a header: ``GET /api/reports`` reads ``X-Tenant`` into SQL (boolean-blind;
      found with ``--inject-header X-Tenant:acme``) (SNT201).
- I6  XXE in an XML request body: ``POST /api/import`` (``application/xml`` in the OpenAPI document)
      (SNT202, CWE-611).
- I7  XXE in a form field: ``POST /import-form`` field ``document`` (a textarea holding XML) (SNT202).
- I8  XXE in a JSON string: ``POST /api/feeds`` ``{"xml": "<feed>...</feed>"}`` (SNT202).
- I9  Python format-string injection: ``GET /greet?name=`` becomes part of a ``str.format`` format
      string whose argument carries a secret (SNT203, CWE-134).
- I10 eval injection: ``GET /calc?expr=`` is ``eval``-ed with ``{"__builtins__": {}}``, which is not
      a sandbox (SNT204, CWE-95).
- I11 XPath injection, boolean-blind: ``GET /directory?name=`` is pasted into an lxml XPath query;
      errors are swallowed into "no match" (SNT205, CWE-643).
- I12 server-side template injection: ``POST /preview`` form field ``title`` becomes Jinja2 template
      source (SNT206, CWE-1336). Template source is not escaped, so it is also a reflected XSS.
- I13 reflected XSS: ``GET /search?term=`` is echoed into HTML unescaped (SNT207, CWE-79).

``/openapi.json`` describes the JSON and XML API for discovery; the HTML pages are found by crawling.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import sqlite3
import threading
from typing import Any

import jinja2
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send


class Site:
    """What the format string is given: it carries a secret, as real config objects do."""

    name = "Injection demo"
    secret_key = "vulnerable-demo-secret"  # noqa: S105 - a planted secret for the format-string flaw


SITE = Site()
_LOCK = threading.Lock()
DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.executescript(
    """
    CREATE TABLE products(id INTEGER PRIMARY KEY, name TEXT, price REAL);
    INSERT INTO products(name, price) VALUES ('apple', 1.0), ('banana', 0.5), ('cherry', 3.0);
    CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, stock INTEGER);
    INSERT INTO items(name, stock) VALUES ('kettle', 4), ('teapot', 2), ('mug', 12);
    CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT, status TEXT, total REAL);
    INSERT INTO orders(customer, status, total) VALUES ('alice', 'open', 12.5), ('bob', 'paid', 3.0);
    CREATE TABLE visits(id INTEGER PRIMARY KEY, ref TEXT);
    INSERT INTO visits(ref) VALUES ('home'), ('home'), ('newsletter');
    CREATE TABLE reports(id INTEGER PRIMARY KEY, tenant TEXT, title TEXT);
    INSERT INTO reports(tenant, title) VALUES ('acme', 'Q1 sales'), ('acme', 'Q2 sales'), ('globex', 'Audit');
    """
)
DIRECTORY = etree.fromstring(
    b"<people><person><name>alice</name><phone>555-0101</phone></person>"
    b"<person><name>bob</name><phone>555-0102</phone></person></people>"
)
JINJA = jinja2.Environment(autoescape=True)


def _query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with _LOCK:
        return DB.execute(sql, params).fetchall()


def _unsafe_xml(data: bytes) -> Any:
    """An XML parser with DTDs and external entities enabled (no network): the XXE flaws."""
    parser = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    return etree.fromstring(data, parser)  # deliberately unsafe


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status,
    )


def _debug_error(exc: Exception) -> HTMLResponse:
    """A staging-style debug page: the exception's class and message (escaped, but shown)."""
    name = f"{type(exc).__module__}.{type(exc).__name__}"
    return _page("Error", f"<pre>{html.escape(name)}: {html.escape(str(exc))}</pre>", 500)


async def home(request: Request) -> Response:
    links = [
        '<a href="/products?q=apple">products</a>',
        '<a href="/greet?name=world">greet</a>',
        '<a href="/calc?expr=6*7">calculator</a>',
        '<a href="/directory?name=alice">directory</a>',
        '<a href="/search?term=tea">search</a>',
        '<a href="/import-form">import a note</a>',
    ]
    forms = (
        '<form method="post" action="/track"><input type="hidden" name="ref" value="home">'
        "<button>Count my visit</button></form>"
        '<form method="post" action="/preview"><input name="title" value="Hello">'
        "<button>Preview</button></form>"
    )
    return _page(
        "Injection demo (vulnerable)", "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>" + forms
    )


async def products(request: Request) -> Response:
    q = request.query_params.get("q", "")
    try:  # FLAW I1: string concatenation, and the driver's error shown
        rows = _query("SELECT name, price FROM products WHERE name LIKE '%" + q + "%'")  # noqa: S608
    except sqlite3.Error as exc:
        return _debug_error(exc)
    items = "".join(f"<li>{html.escape(str(n))}: {p}</li>" for n, p in rows)
    return _page("Products", f"<ul>{items}</ul>")


async def api_item(request: Request) -> Response:
    item_id = request.path_params["item_id"]
    try:  # FLAW I2: a numeric path segment pasted into SQL; errors swallowed
        rows = _query("SELECT id, name, stock FROM items WHERE id = " + item_id)  # noqa: S608
    except sqlite3.Error:
        rows = []
    if not rows:
        return JSONResponse({"error": "no such item"}, status_code=404)
    row = rows[0]
    return JSONResponse({"id": row[0], "name": row[1], "stock": row[2]})


async def api_orders(request: Request) -> Response:
    body = await request.json()
    customer, status = str(body.get("customer", "")), str(body.get("status", "open"))
    sql = "SELECT id, total FROM orders WHERE customer = '" + customer + "' AND status = ?"  # noqa: S608
    try:  # FLAW I3: customer concatenated (status is bound); the error goes back as JSON
        rows = _query(sql, (status,))
    except sqlite3.Error as exc:
        return JSONResponse({"error": f"{type(exc).__module__}.{type(exc).__name__}: {exc}"}, status_code=500)
    return JSONResponse({"orders": [{"id": i, "total": t} for i, t in rows]})


async def track_visit(request: Request) -> Response:
    form = await request.form()
    ref = str(form.get("ref", ""))
    # FLAW I4: concatenated, result unused, errors swallowed: the answer never changes, only time tells
    with contextlib.suppress(sqlite3.Error):
        _query("SELECT COUNT(*) FROM visits WHERE ref = '" + ref + "'")  # noqa: S608
    return _page("Thanks", "<p>Thanks for visiting.</p>")


async def api_reports(request: Request) -> Response:
    tenant = request.headers.get("x-tenant", "acme")
    try:  # FLAW I5: a header pasted into SQL
        rows = _query("SELECT title FROM reports WHERE tenant = '" + tenant + "'")  # noqa: S608
    except sqlite3.Error:
        rows = []
    return JSONResponse({"reports": [r[0] for r in rows]})


async def api_import(request: Request) -> Response:
    try:  # FLAW I6: the request body parsed with external entities enabled
        root = _unsafe_xml(await request.body())
    except etree.XMLSyntaxError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"imported": [text.strip() for text in root.itertext() if text.strip()]})


IMPORT_FORM = (
    '<form method="post" action="/import-form"><textarea name="document">'
    "&lt;note&gt;&lt;to&gt;alice&lt;/to&gt;&lt;body&gt;hi&lt;/body&gt;&lt;/note&gt;</textarea>"
    "<button>Import</button></form>"
)


async def import_form(request: Request) -> Response:
    if request.method == "GET":
        return _page("Import a note", IMPORT_FORM)
    form = await request.form()
    try:  # FLAW I7: XML from a form field, external entities enabled
        root = _unsafe_xml(str(form.get("document", "")).encode())
    except etree.XMLSyntaxError as exc:
        return _page("Import failed", f"<p>{html.escape(str(exc))}</p>", 400)
    return _page("Imported", f"<p>{html.escape(' '.join(root.itertext()))}</p>")


async def api_feeds(request: Request) -> Response:
    body = await request.json()
    try:  # FLAW I8: XML inside a JSON string, external entities enabled
        root = _unsafe_xml(str(body.get("xml", "")).encode())
    except etree.XMLSyntaxError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"title": "".join(root.itertext())})


async def greet(request: Request) -> Response:
    name = request.query_params.get("name", "world")
    try:  # FLAW I9: the input becomes part of the format string
        text = ("Hello " + name + ", welcome to {site.name}!").format(site=SITE)
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        return _debug_error(exc)
    return _page("Greeting", f"<p>{html.escape(text)}</p>")


async def calc(request: Request) -> Response:
    expr = request.query_params.get("expr", "1+1")
    try:  # FLAW I10: eval with empty builtins is not a sandbox
        result = eval(expr, {"__builtins__": {}}, {})  # noqa: S307 - deliberately vulnerable
    except Exception as exc:
        return _page("Calculator", f"<p>Cannot evaluate: {html.escape(str(exc))}</p>", 400)
    return _page("Calculator", f"<p>Result: {html.escape(str(result))}</p>")


async def directory(request: Request) -> Response:
    name = request.query_params.get("name", "")
    try:  # FLAW I11: the input pasted into an XPath expression; errors swallowed
        phones = DIRECTORY.xpath("//person[name/text()='" + name + "']/phone/text()")
    except etree.XPathError:
        phones = []
    if not phones:
        return _page("Directory", "<p>No match.</p>", 404)
    return _page("Directory", "<p>" + ", ".join(html.escape(str(p)) for p in phones) + "</p>")


async def preview(request: Request) -> Response:
    form = await request.form()
    title = str(form.get("title", ""))
    try:  # FLAW I12: the input becomes template source
        body = JINJA.from_string("<h2>" + title + "</h2>").render()
    except jinja2.TemplateError as exc:
        return _debug_error(exc)
    return _page("Preview", body)


async def search(request: Request) -> Response:
    term = request.query_params.get("term", "")
    # FLAW I13: echoed into HTML without escaping
    return _page("Search", f"<p>No results for {term}</p>")


OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Injection demo (vulnerable)", "version": "1"},
    "paths": {
        "/api/items/{item_id}": {
            "get": {
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "example": 1},
                    }
                ],
                "responses": {"200": {"description": "an item"}},
            }
        },
        "/api/orders": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "customer": {"type": "string", "example": "alice"},
                                    "status": {"type": "string", "example": "open"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "matching orders"}},
            }
        },
        "/api/reports": {
            "get": {
                "parameters": [
                    {"name": "X-Tenant", "in": "header", "schema": {"type": "string", "example": "acme"}}
                ],
                "responses": {"200": {"description": "the tenant's reports"}},
            }
        },
        "/api/import": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/xml": {"example": "<order><item>apple</item><item>pear</item></order>"}
                    }
                },
                "responses": {"200": {"description": "imported"}},
            }
        },
        "/api/feeds": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "xml": {"type": "string", "example": "<feed><title>news</title></feed>"}
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "the feed's title"}},
            }
        },
    },
}


async def openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


class LoopbackOnly:
    """Refuse every client that is not on loopback: this app must never face a network."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client") or ("", 0)
            try:
                loopback = ipaddress.ip_address(client[0]).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                await PlainTextResponse("loopback only", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


app = LoopbackOnly(
    Starlette(
        routes=[
            Route("/", home),
            Route("/products", products),
            Route("/api/items/{item_id}", api_item),
            Route("/api/orders", api_orders, methods=["POST"]),
            Route("/track", track_visit, methods=["POST"]),
            Route("/api/reports", api_reports),
            Route("/api/import", api_import, methods=["POST"]),
            Route("/import-form", import_form, methods=["GET", "POST"]),
            Route("/api/feeds", api_feeds, methods=["POST"]),
            Route("/greet", greet),
            Route("/calc", calc),
            Route("/directory", directory),
            Route("/preview", preview, methods=["POST"]),
            Route("/search", search),
            Route("/openapi.json", openapi),
        ]
    )
)
