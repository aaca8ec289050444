"""SNT914 server-side-request-forgery: request data chooses the URL the server fetches (CWE-918).

**What it detects.** Request data (see :mod:`sentinel_bandit._sources`) in the URL given to
``requests`` (``get``, ``post``, ..., ``request``), ``httpx`` (the same, and ``stream``),
``urllib.request.urlopen``/``Request``, ``urllib3.request``, ``aiohttp.request``, and
``http.client.HTTPConnection``/``HTTPSConnection`` hosts. A URL whose scheme and host are a literal
prefix (``"https://api.example.com/users/" + user_id``) keeps the host fixed and is not reported.

**Why it matters.** The server fetches whatever the client names: cloud metadata endpoints
(``http://169.254.169.254/``), internal admin services, ``file://`` URLs with ``urlopen``.

**Example evidence.** ``urllib.request.urlopen(params["path"])``.

**How to fix.** Do not take URLs from clients; if you must, allow-list scheme and host
(``if host not in ALLOWED_HOSTS: abort(400)``) and fetch with redirects off.

Severity high.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import SSRF

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "stream")

SINKS = (
    Sink(
        label="an HTTP request",
        select=arg(0, "url"),
        names=names(
            *(f"{lib}.{verb}" for lib in ("requests", "httpx") for verb in _VERBS),
            "urllib.request.urlopen",
            "urllib.request.Request",
            "urllib.urlopen",
            "urllib2.urlopen",
            "http.client.HTTPConnection",
            "http.client.HTTPSConnection",
        ),
    ),
    Sink(
        label="an HTTP request",
        select=arg(1, "url"),
        names=names("requests.request", "httpx.request", "urllib3.request", "aiohttp.request"),
    ),
)


@plugin(SSRF, "Call")
def sentinel_server_side_request_forgery(context: Context) -> Any:
    return taint_issue(
        SSRF,
        context,
        SINKS,
        Kind.URL,
        lambda sink, evidence: (
            f"{evidence} chooses the URL of {sink.label} (SSRF: internal services, "
            "cloud metadata); allow-list scheme and host"
        ),
    )
