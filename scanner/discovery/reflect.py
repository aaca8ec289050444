"""Insertion points no link shows: the path itself, and a parameter added to a page that takes none.

A 404 handler that renders "no page at /<path>" reflects the path; a page may echo a query parameter
that no link carries. Neither is found by crawling. One request each tells whether it is worth it: a
random token is sent and only an endpoint that echoes it is added, so the active checks do not spend
the budget on pages that ignore it.

- ``GET /<token>``: if the answer contains the token, an endpoint ``/{path}`` with one ``path``
  parameter is added (the payload is percent-encoded as one segment, as a browser sends it);
- ``GET /page?q=<token>`` for up to :data:`MAX_PAGES` parameterless pages: if the token comes back,
  the page gets an added query parameter ``q``.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scanner.discovery.endpoints import Endpoint, Parameter
from scanner.discovery.filters import is_dangerous
from scanner.errors import RequestFailed

if TYPE_CHECKING:
    from scanner.context import ScanContext

MAX_PAGES = 10
ADDED_PARAMETER = "q"
PATH_PARAMETER = "path"


async def add_reflection_points(ctx: ScanContext) -> None:
    """Probe the path and parameterless pages once each; add the ones that echo a token."""
    found = ctx.discovery
    pages = [
        e.url
        for e in found.sorted_endpoints()
        if e.method == "GET" and not e.parameters and "{" not in e.url and not is_dangerous(e.url)
    ][:MAX_PAGES]
    async with ctx.engine.probe("reflection") as probe:
        token = f"snt{secrets.token_hex(5)}"
        try:
            missing = await probe.get(urljoin(ctx.base_url, "/" + token))
        except RequestFailed:
            missing = None
        if missing is not None and token in missing.text:
            parameter = Parameter(name=PATH_PARAMETER, location="path", value=token, kind="path")
            url = urljoin(ctx.base_url, "/{" + PATH_PARAMETER + "}")
            found.add(Endpoint(method="GET", url=url, parameters=(parameter,), source="reflection"))
        for page in pages:
            token = f"snt{secrets.token_hex(5)}"
            try:
                answer = await probe.get(f"{page}?{ADDED_PARAMETER}={token}")
            except RequestFailed:
                continue
            if token in answer.text:
                parameter = Parameter(name=ADDED_PARAMETER, location="query", value="test", kind="added")
                found.add(Endpoint(method="GET", url=page, parameters=(parameter,), source="reflection"))


__all__ = ["ADDED_PARAMETER", "MAX_PAGES", "PATH_PARAMETER", "add_reflection_points"]
