"""Two tiny ``http.server`` apps for the CRLF check: one copies a parameter into a header raw (as the
standard library lets it), its twin strips control characters first.

Starlette on uvicorn refuses line breaks in header values, so a Python app with this flaw runs on
``http.server``, raw sockets or a hand-written proxy; these reproduce that, served on loopback.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


class _Handler(BaseHTTPRequestHandler):
    clean = False

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        # Decoded with unquote (not unquote_plus), as many hand-written servers do.
        params = {unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in parts.query.split("&"))}
        if parts.path == "/lang":
            value = params.get("set", "en")
            if self.clean:
                value = re.sub(r"[\x00-\x1f\x7f]", "", value)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Language", value)  # the flaw, when not cleaned
            self.end_headers()
            self.wfile.write(f"<p>language: {html.escape(value)}</p>".encode())
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(b'<a href="/lang?set=en">English</a>')

    def log_message(self, format: str, *args: object) -> None:
        return


class _Clean(_Handler):
    clean = True


@contextmanager
def serve_crlf(*, clean: bool) -> Iterator[str]:
    """Serve the flawed (or the clean) app on a free loopback port; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Clean if clean else _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
