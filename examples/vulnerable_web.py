"""A DELIBERATELY VULNERABLE app: the web flaws of issue #13 (shell, files, redirects, CSRF, headers,
stored XSS), each planted on purpose. ``examples/bait_web.py`` is its safe twin.

Never deploy it. Serve it on loopback only: ``uvicorn examples.vulnerable_web:app --host 127.0.0.1``;
it refuses any client that is not on loopback. Every flaw uses the real component: a real shell
(``subprocess`` with ``shell=True``), the real file system, real redirects.

Planted flaws (the code marks them ``# FLAW Wn``):

- W1 OS command injection, output shown: ``GET /dns?host=`` runs ``echo resolving <host>`` in a
     shell and shows its output (SNT208, CWE-78).
- W2 OS command injection, blind: ``POST /notify`` form field ``email`` runs in a shell whose output
     is never shown; only time tells (SNT208).
- W3 path traversal: ``GET /download?file=`` opens ``os.path.join(FILES, file)``, so ``../`` and
     absolute paths read any file (SNT209, CWE-22).
- W4 open redirect: ``GET /go?next=`` redirects wherever ``next`` says (SNT211, CWE-601).
- W5 CSRF: ``POST /profile`` (form on ``GET /profile``) has no token and accepts any origin
     (SNT212, CWE-352).
- W6 no anti-framing and no ``nosniff`` header on any page (SNT213 CWE-1021, SNT214 CWE-693).
- W7 stored XSS: ``POST /guestbook`` stores ``message``; ``GET /guestbook`` shows it unescaped
     (SNT215, CWE-79).
"""

from __future__ import annotations

import html
import os
import subprocess  # nosec B404 - the planted command-injection flaws need a real shell
import tempfile
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from examples.vulnerable_injection import LoopbackOnly

FILES = Path(tempfile.mkdtemp(prefix="sentinel-web-files-"))
(FILES / "report.txt").write_text("Quarterly report: all good.\n", encoding="utf-8")
_LOCK = threading.Lock()
GUESTBOOK: list[tuple[str, str]] = [("alice", "Lovely tea room!")]
PROFILE = {"display_name": "Alice", "bio": "Tea enthusiast"}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status,
    )


async def home(request: Request) -> Response:
    links = [
        '<a href="/dns?host=example.org">DNS lookup</a>',
        '<a href="/download?file=report.txt">report</a>',
        '<a href="/go?next=/guestbook">guestbook (via redirect)</a>',
        '<a href="/profile">profile</a>',
        '<a href="/guestbook">guestbook</a>',
        '<a href="/subscribe">newsletter</a>',
    ]
    return _page("Web flaws demo (vulnerable)", "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>")


async def dns(request: Request) -> Response:
    host = request.query_params.get("host", "")
    # FLAW W1: the input is pasted into a shell command line
    done = subprocess.run(  # noqa: S602 # nosec B602 - planted flaw
        "echo resolving " + host, shell=True, capture_output=True, text=True, timeout=15, check=False
    )
    return _page("DNS lookup", f"<pre>{html.escape(done.stdout + done.stderr)}</pre>")


async def subscribe(request: Request) -> Response:
    form = (
        '<form method="post" action="/notify"><input name="email" value="a@example.org">'
        "<button>Go</button></form>"
    )
    return _page("Newsletter", form)


async def notify(request: Request) -> Response:
    email = str((await request.form()).get("email", ""))
    # FLAW W2: a shell runs the input; its output and status are never shown
    subprocess.run("test -n " + email, shell=True, capture_output=True, timeout=15, check=False)  # noqa: S602 # nosec B602
    return _page("Newsletter", "<p>Subscription queued.</p>")


async def download(request: Request) -> Response:
    name = request.query_params.get("file", "")
    try:  # FLAW W3: join() keeps absolute paths, and ../ walks out of FILES
        content = Path(os.path.join(FILES, name)).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return _page("Not found", "<p>No such file.</p>", 404)
    return _page("Download", f"<pre>{html.escape(content)}</pre>")


async def go(request: Request) -> Response:
    # FLAW W4: redirect to whatever the parameter says
    return RedirectResponse(request.query_params.get("next", "/"), status_code=302)


async def profile(request: Request) -> Response:
    if request.method == "POST":
        form = await request.form()  # FLAW W5: no token, no Origin check
        with _LOCK:
            PROFILE.update({k: str(form.get(k, PROFILE[k]))[:200] for k in PROFILE})
        return RedirectResponse("/profile", status_code=303)
    fields = "".join(
        f'<label>{k} <input name="{k}" value="{html.escape(v)}"></label>' for k, v in PROFILE.items()
    )
    return _page("Profile", f'<form method="post" action="/profile">{fields}<button>Save</button></form>')


async def guestbook(request: Request) -> Response:
    if request.method == "POST":
        form = await request.form()
        with _LOCK:
            GUESTBOOK.append((str(form.get("author", "")), str(form.get("message", ""))))
            del GUESTBOOK[:-20]
        return RedirectResponse("/guestbook", status_code=303)
    with _LOCK:  # FLAW W7: stored entries rendered without escaping (the author is escaped)
        entries = "".join(f"<li><b>{html.escape(a)}</b>: {m}</li>" for a, m in GUESTBOOK)
    form = (
        '<form method="post" action="/guestbook"><input name="author" value="guest">'
        '<textarea name="message">Hello</textarea><button>Sign</button></form>'
    )
    return _page("Guestbook", f"<ul>{entries}</ul>{form}")


# FLAW W6: no middleware adds X-Frame-Options, a CSP frame-ancestors or X-Content-Type-Options.
app = LoopbackOnly(
    Starlette(
        routes=[
            Route("/", home),
            Route("/dns", dns),
            Route("/subscribe", subscribe),
            Route("/notify", notify, methods=["POST"]),
            Route("/download", download),
            Route("/go", go),
            Route("/profile", profile, methods=["GET", "POST"]),
            Route("/guestbook", guestbook, methods=["GET", "POST"]),
        ]
    )
)
