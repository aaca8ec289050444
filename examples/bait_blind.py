"""The safe twin of ``examples/vulnerable_blind.py``: the same pages, the same terse answers, and
the same 500 (or 400) for input they do not like, but no evaluator behind them. A scan of this app
must report nothing: a page that answers garbage with an error is not an injection.

- ``/score`` takes an integer (``int(expr)``), 500 otherwise: syntax-keeping and syntax-breaking
  payloads are both garbage to it.
- ``/exists`` looks the name up in a set; any XPath is just a name that does not exist.
- ``/upload`` parses with entities off and DTDs refused (400 for any DOCTYPE).
- ``/subscribe`` binds its parameter, and answers 500 to any quote (a crude filter): both SQL
  twins are garbage to it.
- ``/notice`` refuses braces with a 500, and never treats the subject as a template.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from examples.vulnerable_injection import LoopbackOnly

USERS = {"//user[@name='alice']", "alice", "bob"}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status,
    )


async def home(request: Request) -> Response:
    links = [
        '<a href="/score?expr=42">score</a>',
        '<a href="/exists?q=//user[@name=%27alice%27]">does alice exist?</a>',
        '<a href="/upload">upload a note</a>',
        '<a href="/notice">send a notice</a>',
        '<a href="/subscribe">newsletter</a>',
    ]
    return _page("Blind flaws demo (safe)", "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>")


async def score(request: Request) -> Response:
    try:
        int(request.query_params.get("expr", "0"))
    except ValueError:
        return _page("Error", "<p>Something went wrong.</p>", 500)
    return _page("Score", "<p>Scored.</p>")


async def exists(request: Request) -> Response:
    found = request.query_params.get("q", "") in USERS
    return _page("Directory", "<p>found</p>" if found else "<p>not found</p>")


async def upload(request: Request) -> Response:
    if request.method == "GET":
        form = (
            '<form method="post" action="/upload"><textarea name="document">'
            "&lt;note&gt;&lt;to&gt;alice&lt;/to&gt;&lt;/note&gt;</textarea><button>Upload</button></form>"
        )
        return _page("Upload", form)
    document = str((await request.form()).get("document", ""))
    if "<!DOCTYPE" in document.upper():
        return _page("Upload", "<p>Invalid document.</p>", 400)
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    try:
        etree.fromstring(document.encode(), parser)  # nosec B320 - entities off, no DTD
    except etree.XMLSyntaxError:
        return _page("Upload", "<p>Invalid document.</p>", 400)
    return _page("Upload", "<p>Accepted.</p>")


async def notice(request: Request) -> Response:
    if request.method == "GET":
        form = (
            '<form method="post" action="/notice"><input name="subject" value="Hello">'
            "<button>Send</button></form>"
        )
        return _page("Notice", form)
    subject = str((await request.form()).get("subject", ""))
    if re.search(r"[{}]", subject):
        return _page("Error", "<p>Something went wrong.</p>", 500)
    return _page("Notice", "<p>Queued.</p>")


async def subscribe(request: Request) -> Response:
    if request.method == "GET":
        form = (
            '<form method="post" action="/subscribe"><input name="email" value="a@example.org">'
            "<button>Subscribe</button></form>"
        )
        return _page("Newsletter", form)
    email = str((await request.form()).get("email", ""))
    if "'" in email or '"' in email:
        return _page("Error", "<p>Something went wrong.</p>", 500)
    return _page("Newsletter", "<p>Subscribed.</p>")


app = LoopbackOnly(
    Starlette(
        routes=[
            Route("/", home),
            Route("/score", score),
            Route("/exists", exists),
            Route("/upload", upload, methods=["GET", "POST"]),
            Route("/notice", notice, methods=["GET", "POST"]),
            Route("/subscribe", subscribe, methods=["GET", "POST"]),
        ]
    )
)
