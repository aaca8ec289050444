"""The safe twin of ``examples/vulnerable_web.py``: the same pages, written safely, plus look-alikes
that must *not* be reported. A scan of this app must report nothing at all.

- ``/dns`` runs ``echo`` without a shell (an argument list): ``$((a*b))`` stays text.
- ``/mul?expr=6*7`` multiplies every ``a*b`` it finds in its input, so an injected ``$((a*b))``
  brings the product back; the command-injection check's control (``a*b`` written out) brings it back
  too, so it is not reported.
- ``/notify`` runs its program without a shell.
- ``/download`` serves only names inside its directory (resolved and checked).
- ``/go`` redirects only to paths on this site (``//host`` and ``/\\host`` are refused).
- ``/profile``, ``/guestbook`` and ``/notify`` carry a CSRF token and check it, and check ``Origin``.
- ``/guestbook`` escapes what it stores; every page has anti-framing and ``nosniff`` headers.
- ``/lang?set=`` copies its input into a header, but Starlette on uvicorn refuses line breaks in
  headers: CRLF injection is impossible (the value is cleaned first, too).
"""

from __future__ import annotations

import hmac
import html
import re
import secrets
import subprocess  # nosec B404 - argument lists only, never a shell
import tempfile
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from examples.vulnerable_injection import LoopbackOnly

FILES = Path(tempfile.mkdtemp(prefix="sentinel-bait-files-")).resolve()
(FILES / "report.txt").write_text("Quarterly report: all good.\n", encoding="utf-8")
_LOCK = threading.Lock()
GUESTBOOK: list[tuple[str, str]] = [("alice", "Lovely tea room!")]
PROFILE = {"display_name": "Alice", "bio": "Tea enthusiast"}
TOKEN = secrets.token_urlsafe(24)
_PRODUCT = re.compile(r"(\d+)\*(\d+)")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status,
    )


def _token_field() -> str:
    return f'<input type="hidden" name="csrf_token" value="{TOKEN}">'


async def _csrf_ok(request: Request) -> bool:
    form = await request.form()
    origin = request.headers.get("origin")
    same = origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"
    return same and hmac.compare_digest(str(form.get("csrf_token", "")), TOKEN)


async def home(request: Request) -> Response:
    links = [
        '<a href="/dns?host=example.org">DNS lookup</a>',
        '<a href="/mul?expr=6*7">multiply</a>',
        '<a href="/download?file=report.txt">report</a>',
        '<a href="/go?next=/guestbook">guestbook (via redirect)</a>',
        '<a href="/profile">profile</a>',
        '<a href="/guestbook">guestbook</a>',
        '<a href="/subscribe">newsletter</a>',
        '<a href="/lang?set=en">English</a>',
    ]
    return _page("Web flaws demo (safe)", "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>")


async def dns(request: Request) -> Response:
    host = request.query_params.get("host", "")
    done = subprocess.run(  # noqa: S603 # nosec B603 B607 - an argument list, no shell
        ["echo", "resolving", host],  # noqa: S607 - echo from PATH, as a shell would find it
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )
    return _page("DNS lookup", f"<pre>{html.escape(done.stdout)}</pre>")


async def mul(request: Request) -> Response:
    expr = request.query_params.get("expr", "")
    products = [str(int(a) * int(b)) for a, b in _PRODUCT.findall(expr)[:5]]
    return _page("Multiply", f"<p>{html.escape(', '.join(products) or 'nothing to multiply')}</p>")


async def subscribe(request: Request) -> Response:
    form = (
        f'<form method="post" action="/notify">{_token_field()}<input name="email" value="a@example.org">'
        "<button>Go</button></form>"
    )
    return _page("Newsletter", form)


async def notify(request: Request) -> Response:
    if not await _csrf_ok(request):
        return _page("Forbidden", "<p>CSRF check failed.</p>", 403)
    email = str((await request.form()).get("email", ""))
    subprocess.run(["test", "-n", email], capture_output=True, timeout=15, check=False)  # noqa: S603 S607 # nosec
    return _page("Newsletter", "<p>Subscription queued.</p>")


async def download(request: Request) -> Response:
    path = (FILES / request.query_params.get("file", "")).resolve()
    if not path.is_relative_to(FILES) or not path.is_file():
        return _page("Not found", "<p>No such file.</p>", 404)
    return _page("Download", f"<pre>{html.escape(path.read_text(encoding='utf-8'))}</pre>")


async def go(request: Request) -> Response:
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        target = "/"
    return RedirectResponse(target, status_code=302)


async def lang(request: Request) -> Response:
    value = re.sub(r"[^a-z-]", "", request.query_params.get("set", "en"))[:8]
    return _page("Language", f"<p>{html.escape(value)}</p>", 200) if value else _page("Language", "", 400)


async def profile(request: Request) -> Response:
    if request.method == "POST":
        if not await _csrf_ok(request):
            return _page("Forbidden", "<p>CSRF check failed.</p>", 403)
        form = await request.form()
        with _LOCK:
            PROFILE.update({k: str(form.get(k, PROFILE[k]))[:200] for k in PROFILE})
        return RedirectResponse("/profile", status_code=303)
    fields = "".join(
        f'<label>{k} <input name="{k}" value="{html.escape(v)}"></label>' for k, v in PROFILE.items()
    )
    return _page(
        "Profile",
        f'<form method="post" action="/profile">{_token_field()}{fields}<button>Save</button></form>',
    )


async def guestbook(request: Request) -> Response:
    if request.method == "POST":
        if not await _csrf_ok(request):
            return _page("Forbidden", "<p>CSRF check failed.</p>", 403)
        form = await request.form()
        with _LOCK:
            GUESTBOOK.append((str(form.get("author", "")), str(form.get("message", ""))))
            del GUESTBOOK[:-20]
        return RedirectResponse("/guestbook", status_code=303)
    with _LOCK:
        entries = "".join(f"<li><b>{html.escape(a)}</b>: {html.escape(m)}</li>" for a, m in GUESTBOOK)
    form = (
        f'<form method="post" action="/guestbook">{_token_field()}<input name="author" value="guest">'
        '<textarea name="message">Hello</textarea><button>Sign</button></form>'
    )
    return _page("Guestbook", f"<ul>{entries}</ul>{form}")


class SecurityHeaders:
    """Anti-framing and nosniff on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", b"frame-ancestors 'none'"),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        await self.app(scope, receive, send_wrapper)


app = LoopbackOnly(
    SecurityHeaders(
        Starlette(
            routes=[
                Route("/", home),
                Route("/dns", dns),
                Route("/mul", mul),
                Route("/subscribe", subscribe),
                Route("/notify", notify, methods=["POST"]),
                Route("/download", download),
                Route("/go", go),
                Route("/lang", lang),
                Route("/profile", profile, methods=["GET", "POST"]),
                Route("/guestbook", guestbook, methods=["GET", "POST"]),
            ]
        )
    )
)
