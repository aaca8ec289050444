"""A clean app full of false-positive bait for the injection checks: nothing here is vulnerable.

Every endpoint looks like one of ``examples/vulnerable_injection.py``'s flaws from the outside and is
written safely inside. A scanner that reports anything here at medium or above has a false positive;
Sentinel's end-to-end tests and ``python -m bench injection`` assert it reports nothing. Serve it on
loopback: ``uvicorn examples.bait:app --host 127.0.0.1``.

The bait, by the check it tempts:

- SQL error-based: ``GET /errors?topic=`` prints database error texts (sqlite3, MySQL, psycopg,
  SQLAlchemy) as static help content, whatever the input.
- SQL boolean-based: ``GET /search?q=`` is a parametrised ``LIKE`` search whose result count depends on
  the input, on a page with a fresh nonce and the input echoed (escaped); ``GET /api/items/{item_id}``
  and ``POST /api/orders`` bind their values; ``GET /api/reports`` binds ``X-Tenant``.
- SQL time-based: ``GET /slow?q=`` is always slow, by a random 0.2-0.45 s.
- eval: ``GET /calc?expr=`` is a real, safe arithmetic calculator (``7*191`` really gives 1337);
  ``GET /shout?msg=`` upper-cases what it echoes.
- template: the calculator again (arithmetic without delimiters), and ``POST /preview`` renders a
  fixed Jinja2 template with the input as data.
- format string: ``GET /greet?name=`` passes the input as an argument of ``str.format``.
- XPath: ``GET /directory?name=`` binds the input as an XPath variable.
- XXE: ``POST /api/import`` (XML body), ``POST /import-form`` (form field) and ``POST /api/feeds`` (XML in
  JSON) parse with ``sentinel.xml``, which refuses DTDs and says so in its error message.
- XSS: ``GET /echo?msg=`` echoes into text, an attribute and a textarea, HTML-escaped;
  ``GET /api/echo?msg=`` echoes raw markup in JSON, which no browser renders as HTML.
"""

from __future__ import annotations

import ast
import asyncio
import html
import operator
import secrets
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import jinja2
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

import sentinel.xml

_LOCK = threading.Lock()
DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.executescript(
    """
    CREATE TABLE products(id INTEGER PRIMARY KEY, name TEXT, price REAL);
    INSERT INTO products(name, price) VALUES ('apple', 1.0), ('apple pie', 4.0), ('banana', 0.5);
    CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, stock INTEGER);
    INSERT INTO items(name, stock) VALUES ('kettle', 4), ('teapot', 2), ('mug', 12);
    CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT, status TEXT, total REAL);
    INSERT INTO orders(customer, status, total) VALUES ('alice', 'open', 12.5), ('bob', 'paid', 3.0);
    CREATE TABLE reports(id INTEGER PRIMARY KEY, tenant TEXT, title TEXT);
    INSERT INTO reports(tenant, title) VALUES ('acme', 'Q1 sales'), ('acme', 'Q2 sales'), ('globex', 'Audit');
    """
)
DIRECTORY = etree.fromstring(
    b"<people><person><name>alice</name><phone>555-0101</phone></person>"
    b"<person><name>bob</name><phone>555-0102</phone></person></people>"
)
JINJA = jinja2.Environment(autoescape=True)
PREVIEW = JINJA.from_string("<h2>{{ title }}</h2>")
STATIC_ERRORS = """
<h2>Common database errors and what they mean</h2>
<pre>sqlite3.OperationalError: near "FROM": syntax error
sqlite3.OperationalError: unrecognized token: "'"
You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version
psycopg.errors.SyntaxError: syntax error at or near "'"
sqlalchemy.exc.ProgrammingError: (Background on this error at: https://sqlalche.me/e/20/f405)
lxml.etree.XPathEvalError: Invalid predicate
ValueError: Single '{' encountered in format string</pre>
"""


def _query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with _LOCK:
        return DB.execute(sql, params).fetchall()


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status,
    )


async def home(request: Request) -> Response:
    links = [
        '<a href="/errors?topic=sql">errors</a>',
        '<a href="/search?q=apple">search</a>',
        '<a href="/slow?q=report">slow report</a>',
        '<a href="/calc?expr=7*191">calculator</a>',
        '<a href="/shout?msg=hello">shout</a>',
        '<a href="/greet?name=world">greet</a>',
        '<a href="/directory?name=alice">directory</a>',
        '<a href="/echo?msg=hello">echo</a>',
        '<a href="/api/echo?msg=hello">JSON echo</a>',
        '<a href="/import-form">import</a>',
    ]
    form = (
        '<form method="post" action="/preview"><input name="title" value="Hello">'
        "<button>Preview</button></form>"
    )
    return _page("Bait (safe)", "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>" + form)


async def errors(request: Request) -> Response:
    topic = request.query_params.get("topic", "")
    return _page("Help", f"<p>Topic: {html.escape(topic)}</p>{STATIC_ERRORS}")


async def search(request: Request) -> Response:
    q = request.query_params.get("q", "")
    rows = _query("SELECT name, price FROM products WHERE name LIKE ? ORDER BY id", (f"%{q}%",))
    items = "".join(f"<li>{html.escape(n)}: {p}</li>" for n, p in rows)
    nonce = secrets.token_urlsafe(18)
    return _page(
        "Search",
        f'<form><input type="hidden" name="nonce" value="{nonce}"></form>'
        f"<p>{len(rows)} result(s) for {html.escape(q)}</p><ul>{items}</ul>",
    )


async def slow(request: Request) -> Response:
    await asyncio.sleep(0.2 + secrets.randbelow(250) / 1000)
    return _page("Report", f"<p>Report for {html.escape(request.query_params.get('q', ''))} is ready.</p>")


_OPERATORS: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


def safe_arithmetic(expression: str) -> float | int:
    """Numbers, + - * / // %, parentheses and unary minus; anything else raises ValueError."""

    def walk(node: ast.AST) -> float | int:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))  # type: ignore[no-any-return]
        raise ValueError(f"not allowed: {type(node).__name__}")

    if len(expression) > 200:
        raise ValueError("too long")
    try:
        return walk(ast.parse(expression, mode="eval"))
    except (SyntaxError, ZeroDivisionError) as exc:
        raise ValueError(str(exc)) from None


async def calc(request: Request) -> Response:
    expr = request.query_params.get("expr", "1+1")
    try:
        result = safe_arithmetic(expr)
    except ValueError as exc:
        return _page(
            "Calculator", f"<p>Cannot evaluate {html.escape(expr)}: {html.escape(str(exc))}</p>", 400
        )
    return _page("Calculator", f"<p>{html.escape(expr)} = {result}</p>")


async def shout(request: Request) -> Response:
    return _page("Shout", f"<p>{html.escape(request.query_params.get('msg', '').upper())}</p>")


async def greet(request: Request) -> Response:
    name = request.query_params.get("name", "world")
    return _page("Greeting", f"<p>{html.escape('Hello {}, welcome to {}!'.format(name, 'Bait'))}</p>")


async def directory(request: Request) -> Response:
    name = request.query_params.get("name", "")
    try:
        phones = DIRECTORY.xpath("//person[name/text()=$n]/phone/text()", n=name)
    except ValueError:  # not XML-compatible text, e.g. a NUL byte
        return _page("Directory", "<p>Invalid name.</p>", 400)
    if not phones:
        return _page("Directory", "<p>No match.</p>", 404)
    return _page("Directory", "<p>" + ", ".join(html.escape(str(p)) for p in phones) + "</p>")


async def echo(request: Request) -> Response:
    msg = html.escape(request.query_params.get("msg", ""))
    body = f'<p>You said: {msg}</p><input name="again" value="{msg}"><textarea>{msg}</textarea>'
    return _page("Echo", body)


async def api_echo(request: Request) -> Response:
    return JSONResponse({"msg": request.query_params.get("msg", "")})


async def preview(request: Request) -> Response:
    form = await request.form()
    return _page("Preview", PREVIEW.render(title=str(form.get("title", ""))))


def _parse_xml(data: str | bytes) -> tuple[str | None, str | None]:
    """``(text, error)``: ``sentinel.xml`` refuses DTDs, entities and external references, and says so."""
    try:
        root = sentinel.xml.fromstring(data.encode() if isinstance(data, str) else data)
    except sentinel.xml.XMLError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return " ".join(t.strip() for t in root.itertext() if t.strip()), None


async def api_import(request: Request) -> Response:
    text, error = _parse_xml(await request.body())
    if error is not None:
        return JSONResponse({"error": error}, status_code=400)
    return JSONResponse({"imported": text})


IMPORT_FORM = (
    '<form method="post" action="/import-form"><textarea name="document">'
    "&lt;note&gt;&lt;to&gt;alice&lt;/to&gt;&lt;/note&gt;</textarea><button>Import</button></form>"
)


async def import_form(request: Request) -> Response:
    if request.method == "GET":
        return _page("Import", IMPORT_FORM)
    form = await request.form()
    text, error = _parse_xml(str(form.get("document", "")))
    if error is not None:
        return _page("Import failed", f"<p>{html.escape(error)}</p>", 400)
    return _page("Imported", f"<p>{html.escape(text or '')}</p>")


async def api_feeds(request: Request) -> Response:
    body = await request.json()
    text, error = _parse_xml(str(body.get("xml", "")))
    if error is not None:
        return JSONResponse({"error": error}, status_code=400)
    return JSONResponse({"title": text})


async def api_item(request: Request) -> Response:
    try:
        item_id = int(request.path_params["item_id"])
    except ValueError:
        return JSONResponse({"error": "item_id must be an integer"}, status_code=400)
    rows = _query("SELECT id, name, stock FROM items WHERE id = ?", (item_id,))
    if not rows:
        return JSONResponse({"error": "no such item"}, status_code=404)
    return JSONResponse({"id": rows[0][0], "name": rows[0][1], "stock": rows[0][2]})


async def api_orders(request: Request) -> Response:
    body = await request.json()
    rows = _query(
        "SELECT id, total FROM orders WHERE customer = ? AND status = ?",
        (str(body.get("customer", "")), str(body.get("status", "open"))),
    )
    return JSONResponse({"orders": [{"id": i, "total": t} for i, t in rows]})


async def api_reports(request: Request) -> Response:
    rows = _query("SELECT title FROM reports WHERE tenant = ?", (request.headers.get("x-tenant", "acme"),))
    return JSONResponse({"reports": [r[0] for r in rows]})


def _json_body(props: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "properties": props}
    return {"content": {"application/json": {"schema": schema}}}


OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Bait (safe)", "version": "1"},
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
                "requestBody": _json_body(
                    {
                        "customer": {"type": "string", "example": "alice"},
                        "status": {"type": "string", "example": "open"},
                    }
                ),
                "responses": {"200": {"description": "orders"}},
            }
        },
        "/api/reports": {"get": {"responses": {"200": {"description": "reports"}}}},
        "/api/import": {
            "post": {
                "requestBody": {
                    "content": {"application/xml": {"example": "<order><item>apple</item></order>"}}
                },
                "responses": {"200": {"description": "imported"}},
            }
        },
        "/api/feeds": {
            "post": {
                "requestBody": _json_body(
                    {"xml": {"type": "string", "example": "<feed><title>news</title></feed>"}}
                ),
                "responses": {"200": {"description": "the feed's title"}},
            }
        },
        "/api/echo": {
            "get": {
                "parameters": [
                    {"name": "msg", "in": "query", "schema": {"type": "string", "example": "hello"}}
                ],
                "responses": {"200": {"description": "the message, as JSON"}},
            }
        },
    },
}


async def openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/errors", errors),
        Route("/search", search),
        Route("/slow", slow),
        Route("/calc", calc),
        Route("/shout", shout),
        Route("/greet", greet),
        Route("/directory", directory),
        Route("/echo", echo),
        Route("/api/echo", api_echo),
        Route("/preview", preview, methods=["POST"]),
        Route("/api/import", api_import, methods=["POST"]),
        Route("/import-form", import_form, methods=["GET", "POST"]),
        Route("/api/feeds", api_feeds, methods=["POST"]),
        Route("/api/items/{item_id}", api_item),
        Route("/api/orders", api_orders, methods=["POST"]),
        Route("/api/reports", api_reports),
        Route("/openapi.json", openapi),
    ]
)
