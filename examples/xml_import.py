"""``POST /import``: XML orders in, JSON out, for the hardened example app.

Send ``<order><item>…</item>…<note>…</note></order>`` as ``application/xml`` (or ``text/xml``, or any
``+xml`` type); the answer is ``{"items": [...], "note": ...}``. The route sits behind
:class:`sentinel.xml.XMLGuardMiddleware`, and parses with :func:`sentinel.xml.fromstring` anyway:
the guard keeps hostile bodies away from every parser in the app, and the safe parser keeps this
route safe wherever it is mounted.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element  # nosec B405

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sentinel.xml
from sentinel.xml.content import is_xml_media_type, parse_media_type

#: Orders are small: the strict preset (1 MiB, depth 32, 10,000 elements).
ORDER_LIMITS = sentinel.xml.STRICT_LIMITS


def _problem(status: int, slug: str, title: str, detail: str) -> Response:
    body = {"type": f"urn:sentinel:problem:{slug}", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _text(element: Element) -> str:
    return "".join(element.itertext()).strip()


async def import_orders(request: Request) -> Response:
    """Parse one order; 415 unless the body is declared XML, 400 when it is refused or not an order."""
    media_type, _ = parse_media_type(request.headers.get("content-type", "").encode("latin-1"))
    if not is_xml_media_type(media_type):
        # Only XML types are guaranteed to have gone through the guard's size cap.
        return _problem(415, "xml-required", "XML required", "Send the order as application/xml.")
    try:
        order = sentinel.xml.fromstring(await request.body(), limits=ORDER_LIMITS)
    except sentinel.xml.XMLError as exc:
        return _problem(400, exc.reason, exc.title, str(exc))
    if order.tag != "order":
        return _problem(400, "not-an-order", "Not an order", "The root element must be <order>.")
    note = order.find("note")
    return JSONResponse(
        {
            "items": [_text(item) for item in order.findall("item")],
            "note": _text(note) if note is not None else None,
        }
    )


import_route = Route("/import", import_orders, methods=["POST"])

__all__ = ["ORDER_LIMITS", "import_orders", "import_route"]
