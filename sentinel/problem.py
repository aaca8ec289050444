"""RFC 9457 ``application/problem+json`` answers, sent straight through ASGI.

Every guard refuses a request the same way: a small JSON body with a stable ``type`` per error, so
clients and the scanner can tell refusals apart without parsing prose. Guards send it before the app
runs, so no framework object is needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from starlette.responses import Response

from sentinel.types import Send

PROBLEM_CONTENT_TYPE = b"application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:sentinel:problem:"


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One refusal: ``slug`` becomes the stable ``type`` URI, ``detail`` says what to change."""

    status: int
    slug: str
    title: str
    detail: str
    retry_after: int | None = None
    extra_headers: tuple[tuple[bytes, bytes], ...] = field(default=())

    def body(self) -> bytes:
        doc = {
            "type": PROBLEM_TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    def headers(self, body_length: int) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"content-type", PROBLEM_CONTENT_TYPE),
            (b"content-length", str(body_length).encode()),
            (b"cache-control", b"no-store"),
        ]
        if self.retry_after is not None:
            headers.append((b"retry-after", str(max(1, int(self.retry_after))).encode()))
        headers.extend(self.extra_headers)
        return headers


def problem_response(problem: Problem) -> Response:
    """``problem`` as a Starlette response, for endpoints that return responses."""
    body = problem.body()
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in problem.headers(len(body))
        if name not in (b"content-type", b"content-length")
    }
    return Response(
        body, status_code=problem.status, headers=headers, media_type=PROBLEM_CONTENT_TYPE.decode()
    )


async def send_problem(send: Send, problem: Problem) -> None:
    """Send ``problem`` as a complete response; the caller must not have started one."""
    body = problem.body()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": problem.headers(len(body)),
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["PROBLEM_CONTENT_TYPE", "PROBLEM_TYPE_PREFIX", "Problem", "problem_response", "send_problem"]
