"""A DELIBERATELY VULNERABLE app: injection flaws that never show their result and swallow their
errors into a status code. ``examples/bait_blind.py`` is its safe twin, whose pages answer garbage
with the same kind of 500 and must *not* be reported.

Never deploy it. Serve it on loopback only: ``uvicorn examples.vulnerable_blind:app --host 127.0.0.1``.

Planted flaws (the code marks them ``# FLAW Bn``):

- B1 blind eval: ``GET /score?expr=6*7`` evaluates ``expr`` and answers 200 "scored", or 500 on any
     error; the value is never shown (SNT204, CWE-95).
- B2 XPath, the whole expression: ``GET /exists?q=//user[@name='alice']`` evaluates ``q`` with lxml
     and says only "found" or "not found" (SNT205, CWE-643).
- B3 blind XXE: ``POST /upload`` form field ``document`` is parsed by ``xml.sax`` with external
     general entities on; the answer is "accepted" or a bare 400, never the content (SNT202, CWE-611).
- B5 blind SQL injection: ``POST /subscribe`` form field ``email`` is concatenated into an
     ``INSERT``; the answer is "subscribed" or a bare 500, whatever the rows (SNT201, CWE-89).
- B4 blind template injection: ``POST /notice`` form field ``subject`` becomes Jinja2 template
     source for a message that is never shown; 200 "queued" or 500 (SNT206, CWE-1336).
"""

from __future__ import annotations

import html
import io
import sqlite3
import xml.sax
import xml.sax.handler

import jinja2
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from examples.vulnerable_injection import LoopbackOnly

DIRECTORY = etree.fromstring(b"<users><user name='alice'/><user name='bob'/></users>")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status,
    )


async def home(request: Request) -> Response:
    links = [
        '<a href="/score?expr=6*7">score</a>',
        '<a href="/exists?q=//user[@name=%27alice%27]">does alice exist?</a>',
        '<a href="/upload">upload a note</a>',
        '<a href="/notice">send a notice</a>',
        '<a href="/subscribe">newsletter</a>',
    ]
    return _page("Blind flaws demo (vulnerable)", "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>")


async def score(request: Request) -> Response:
    try:  # FLAW B1: evaluated, the result never shown, any error a bare 500
        eval(request.query_params.get("expr", "0"), {"__builtins__": {}})  # noqa: S307 # nosec B307
    except Exception:
        return _page("Error", "<p>Something went wrong.</p>", 500)
    return _page("Score", "<p>Scored.</p>")


async def exists(request: Request) -> Response:
    try:  # FLAW B2: the parameter is the whole XPath expression
        found = bool(DIRECTORY.xpath(request.query_params.get("q", "")))
    except etree.XPathError:
        return _page("Error", "<p>Something went wrong.</p>", 500)
    return _page("Directory", "<p>found</p>" if found else "<p>not found</p>")


async def upload(request: Request) -> Response:
    if request.method == "GET":
        form = (
            '<form method="post" action="/upload"><textarea name="document">'
            "&lt;note&gt;&lt;to&gt;alice&lt;/to&gt;&lt;/note&gt;</textarea><button>Upload</button></form>"
        )
        return _page("Upload", form)
    document = str((await request.form()).get("document", ""))
    # FLAW B3: external entities resolved, nothing echoed, errors swallowed into a 400
    parser = xml.sax.make_parser()  # noqa: S317 # nosec B317 - planted flaw
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    parser.setContentHandler(xml.sax.handler.ContentHandler())
    try:
        parser.parse(io.BytesIO(document.encode()))
    except Exception:
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
    try:  # FLAW B4: template source from input, rendered into a message nobody sees here
        jinja2.Environment(autoescape=True).from_string("Subject: " + subject).render()  # nosec B701
    except jinja2.TemplateError:
        return _page("Error", "<p>Something went wrong.</p>", 500)
    return _page("Notice", "<p>Queued.</p>")


DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.execute("CREATE TABLE subscribers(email TEXT)")


async def subscribe(request: Request) -> Response:
    if request.method == "GET":
        form = (
            '<form method="post" action="/subscribe"><input name="email" value="a@example.org">'
            "<button>Subscribe</button></form>"
        )
        return _page("Newsletter", form)
    email = str((await request.form()).get("email", ""))
    try:  # FLAW B5: concatenated into an INSERT; any error is a bare 500
        DB.execute("INSERT INTO subscribers(email) VALUES ('" + email + "')")  # noqa: S608 # nosec B608
    except sqlite3.Error:
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
