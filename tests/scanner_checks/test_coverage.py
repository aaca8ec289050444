"""Honest coverage: a point whose every probe was refused before reaching the app (a CSRF guard's
403) is "not tested (refused: 403 xN)", and a check with no tested point is skipped, never passed."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from scanner import render
from tests.scanner_injection.conftest import scan_in_process

PAGE = '<form method="post" action="/comment"><input name="text" value="hi"><button>Send</button></form>'


def _app(*, guarded: bool) -> Starlette:
    async def home(request: Request) -> Response:
        return HTMLResponse(PAGE)

    async def comment(request: Request) -> Response:
        if guarded:  # a CSRF guard: the scanner has no token, so nothing reaches the handler
            return HTMLResponse("CSRF token missing", status_code=403)
        text = str((await request.form()).get("text", ""))
        return HTMLResponse(f"<p>{len(text)} characters received</p>")

    return Starlette(routes=[Route("/", home), Route("/comment", comment, methods=["POST"])])


ACTIVE = frozenset({"sql-injection", "command-injection", "reflected-xss", "stored-xss"})


async def test_refused_points_are_not_tested_and_the_check_is_not_passed() -> None:
    result = await scan_in_process(_app(guarded=True), checks=ACTIVE)
    checks = {c.name: c for c in result.checks}
    for name in ACTIVE:
        assert checks[name].status == "skipped", checks[name]
        assert "not tested" in checks[name].reason and "refused: 403 x" in checks[name].reason, checks[name]
    sql = checks["sql-injection"]
    assert (sql.points_tested, sql.points_refused) == (0, 1)
    reported = {c["name"]: c for c in json.loads(render(result, "json"))["checks"]}
    assert (reported["sql-injection"]["points_tested"], reported["sql-injection"]["points_refused"]) == (0, 1)


async def test_the_same_form_reached_is_tested_and_passed() -> None:
    result = await scan_in_process(_app(guarded=False), checks=ACTIVE)
    checks = {c.name: c for c in result.checks}
    for name in ACTIVE - {"stored-xss"}:
        assert checks[name].status == "passed", checks[name]
        assert "1 insertion point(s) tested" in checks[name].reason, checks[name]
        assert "refused" not in checks[name].reason
        assert (checks[name].points_tested, checks[name].points_refused) == (1, 0)
    assert checks["stored-xss"].status == "passed", checks["stored-xss"]
