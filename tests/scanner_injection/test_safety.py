"""Safety: what reaches the target. Every request the end-to-end scans sent is inspected on the wire
with checks independent of the scanner's own guard; an UPDATE route injectable by OR-true keeps every
other row intact through a thorough scan; a check that tries OR-true is stopped before sending; the
request budget holds."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scanner import Confidence, Finding, Rule, Severity
from scanner.active.probe import PointProbe
from scanner.active.safety import UnsafePayload, unsafe_reason
from scanner.checks._registry import CheckKind, CheckSpec, register, unregister
from scanner.config import Limits
from scanner.discovery.endpoints import InsertionPoint
from tests.scanner_injection.conftest import Served, scan_in_process, wire_records

_OR = re.compile(r"\bor\b|\|\|", re.I)
_CHANGE = re.compile(r"\b(?:drop|delete|truncate|insert|update|alter|attach|pragma|exec)\b", re.I)
_CODE = re.compile(r"\bos\.|__import__|__globals__|__builtins__|__subclasses__|\b(?:popen|system|open)\s*\(")
_URL = re.compile(r"\b(?:https?|ftp|gopher|expect|php|jar)://", re.I)
_SYSTEM = re.compile(r"SYSTEM\s+\"([^\"]*)\"")
_DELAY = re.compile(r"SLEEP\((\d+(?:\.\d+)?)\)", re.I)
_ROWS = re.compile(r"x<(\d+)\)")
_XML_REF = re.compile(r"&#?\w+;")
#: Independent of the guard: the harmless shell fragments, canary URLs and files the new checks send.
_SHELL_OK = re.compile(
    r"(?:;|\||&&|&)\s*(?:echo \$\(\(\d+\*\d+\)\)|echo \d+\*\d+|sleep \d+(?:\.\d+)?|set (?:/a )?\d+\*\d+)"
)
_CANARY_URL = re.compile(r"(?:https:)?//sntl[a-z]+\.invalid/[a-z]+")
_FILE = re.compile(r"(?:\.\./|\.\.\\|%2F|/proc/|file://)", re.I)
_FILES_OK = ("proc/sys/kernel/ostype", "windows\\win.ini", "sentinel-nonexistent-")
_SHELL_CMD = re.compile(r"[;|&`]\s*(?:cat|id|ls|rm|sh|bash|nc|curl|wget|ping|uname)\b|\$\((?![(]|echo|sleep)")


def _injected(record: dict[str, Any]) -> list[str]:
    """The values a request carried where payloads go: query, form, JSON, XML body, X-Tenant."""
    values = [v for _, v in parse_qsl(record["query"], keep_blank_values=True)]
    body, kind = record["body"], record["headers"].get("content-type", "")
    if kind.startswith("application/x-www-form-urlencoded"):
        values += [v for _, v in parse_qsl(body, keep_blank_values=True)]
    elif kind.startswith("application/json") and body:
        values += [str(v) for v in json.loads(body).values()]
    elif body:
        values.append(body)
    if "x-tenant" in record["headers"]:
        values.append(record["headers"]["x-tenant"])
    return values


def _problems(value: str) -> list[str]:
    value = _CANARY_URL.sub(" ", value)
    checks = ((_OR, "OR"), (_CHANGE, "data change"), (_CODE, "code"), (_URL, "URL"))
    found = [why for pattern, why in checks if pattern.search(value)]
    if ";" in _XML_REF.sub("", _SHELL_OK.sub(" ", value)):
        found.append("stacked query")
    if _SHELL_CMD.search(_XML_REF.sub("", _SHELL_OK.sub(" ", value))):
        found.append("shell command")
    if _FILE.search(value) and "<!DOCTYPE" not in value and not any(f in unquote(value) for f in _FILES_OK):
        found.append("file path")
    if re.search(r"[\r\n]\s*[\w-]+\s*:", value) and not re.search(r"[\r\n]X-Sentinel-[a-z]+:[a-z]+$", value):
        found.append("injected header")
    if value.count("<!ENTITY") > 1 or "<!ENTITY %" in value:
        found.append("entity bomb shape")
    allowed = ("file:///proc/sys/kernel/ostype", "file:///c:/windows/win.ini")
    found += [
        f"file {uri}" for uri in _SYSTEM.findall(value) if uri not in allowed and "nonexistent" not in uri
    ]
    found += [f"delay {d}" for d in _DELAY.findall(value) if float(d) > 10]
    found += [f"rows {n}" for n in _ROWS.findall(value) if int(n) > 50_000_000]
    return found


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.timeout(400)  # uses the level-3 bait scan
def test_nothing_unsafe_went_over_the_wire(
    vulnerable_level1: Served, vulnerable_level2: Served, bait_scan: Served, wire_log: Any
) -> None:
    records = wire_records(wire_log)
    values = [v for record in records for v in _injected(record)]
    # Not vacuous: the scans did send every family of payload.
    for marker in (
        "LIKE",
        "SLEEP(",
        "PG_SLEEP(",
        "WITH RECURSIVE",
        "<!ENTITY",
        "{{",
        "string-length",
        ".upper()",
        ";echo $((",
        "$(sleep ",
        "proc/sys/kernel/ostype",
        ".invalid/",
        "X-Sentinel-",
    ):
        assert any(marker in v for v in values), marker
    unsafe = {v: problems for v in values if (problems := _problems(v))}
    assert unsafe == {}


# --- a state-changing route, injectable with OR-true ---------------------------------------------


def _counter_app() -> tuple[Starlette, sqlite3.Connection]:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.executescript(
        "CREATE TABLE items(id INTEGER PRIMARY KEY, views INTEGER DEFAULT 0);"
        "INSERT INTO items(views) VALUES (0), (0), (0), (0);"
    )

    async def view(request: Request) -> Response:
        try:  # concatenated: "1 OR 1=1" would count a view on every row
            cursor = db.execute("UPDATE items SET views = views + 1 WHERE id = " + request.path_params["id"])  # noqa: S608
        except sqlite3.Error:
            return JSONResponse({"updated": 0}, status_code=400)
        return JSONResponse({"updated": cursor.rowcount})

    async def openapi(request: Request) -> Response:
        params = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "example": 1}}]
        return JSONResponse(
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {"/items/{id}/view": {"post": {"parameters": params, "responses": {}}}},
            }
        )

    app = Starlette(
        routes=[Route("/items/{id}/view", view, methods=["POST"]), Route("/openapi.json", openapi)]
    )
    return app, db


def _views(db: sqlite3.Connection) -> dict[int, int]:
    return dict(db.execute("SELECT id, views FROM items").fetchall())


async def test_a_thorough_scan_never_touches_other_rows_of_a_state_changing_route() -> None:
    app, db = _counter_app()
    result = await scan_in_process(app, level=3)
    assert result.complete, result.incomplete
    assert any(f.rule.id == "SNT201" and f.parameter == "id" for f in result.findings)  # payloads reached it
    views = _views(db)
    assert views[1] > 0
    assert views[2] == views[3] == views[4] == 0
    assert len(views) == 4


async def test_or_true_is_refused_before_it_is_sent() -> None:
    app, db = _counter_app()
    # The danger is real: sent directly, OR-true touches every row.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.post("/items/1%20OR%201%3D1/view")).json() == {"updated": 4}
    assert set(_views(db).values()) == {1}

    rule = Rule(id="SNT998", name="rogue-or-true", cwe=89, severity=Severity.HIGH, summary="test only")

    async def rogue(ctx: Any, point: InsertionPoint) -> list[Finding]:
        async with PointProbe.open(ctx, point, check="rogue-or-true") as probe:
            await probe.send(f"{probe.value} OR 1=1")
        return [probe.finding(rule, confidence=Confidence.TENTATIVE, message="sent", evidence=())]

    app2, db2 = _counter_app()
    register(
        CheckSpec(name="rogue-or-true", kind=CheckKind.ACTIVE, rules=(rule,), run=rogue, module=__name__)
    )
    try:
        result = await scan_in_process(app2, checks=frozenset({"rogue-or-true"}))
    finally:
        unregister("rogue-or-true")
    check = next(c for c in result.checks if c.name == "rogue-or-true")
    assert check.status == "error" and "UnsafePayload" in check.reason
    assert not result.complete  # a refused payload is a bug in a check: never silent
    assert set(_views(db2).values()) == {0}


@pytest.mark.parametrize(
    "added",
    [
        "' OR '1'='1",
        " or 1=1",
        "' || 'x",
        "; DROP TABLE users",
        "'; DELETE FROM users-- x",
        " AND 1=1; UPDATE users SET admin=1",
        "' AND 1=(SELECT 1); ATTACH DATABASE 'x' AS y",
        "__import__('os').system('id')",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{0.__init__.__globals__[SECRET]}",
        '<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;&a;">]>',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///proc/sys/kernel/ostype">]>',
        '<!DOCTYPE r [<!ENTITY e SYSTEM "http://169.254.169.254/latest/meta-data/">]>',
        '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///sentinel-nonexistent-x/../etc/passwd">]>',
        '<!DOCTYPE r [<!ENTITY e SYSTEM "expect://id">]>',
        " AND SLEEP(60)",
        " AND 1=(SELECT 1 FROM PG_SLEEP(30))",
        " AND 1=(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<900000000) SELECT 1)",
    ],
)
def test_the_guard_refuses(added: str) -> None:
    assert unsafe_reason(added) is not None


@pytest.mark.parametrize(
    "added",
    [
        "x;cat /etc/passwd",
        "x|cat /etc/passwd",
        "x`id`",
        "x$(id)",
        "x&&rm -rf /",
        "x;sleep 20",
        "x$(sleep 30)",
        "x;echo $((1*2));rm x",
        "../../../../etc/passwd",
        "..%252f..%252fetc%252fpasswd",
        "/etc/shadow",
        "file:///etc/passwd",
        "../../proc/sys/kernel/ostype;id",
        "https://evil.example/",
        "//evil.example/",
        "//sntl.invalid@evil.example/",
        "https://sntl.invalid.evil.example/",
        "x\r\nSet-Cookie: sid=attacker",
        "x%0d%0aLocation: http://evil",
        "x\nContent-Length: 0",
    ],
)
def test_the_guard_refuses_harmful_shell_file_url_and_header_payloads(added: str) -> None:
    assert unsafe_reason(added) is not None


@pytest.mark.parametrize(
    "added",
    [
        ";echo $((1234*5678))",
        "|echo $((1234*5678))",
        "&&echo $((1234*5678))",
        "`echo $((1234*5678))`",
        "$(echo $((1234*5678)))",
        "'`echo $((1234*5678))`'",
        "&set /a 1234*5678",
        ";echo 1234*5678",
        ";sleep 2",
        "$(sleep 0.5)",
        "/proc/sys/kernel/ostype",
        "../../../../../../../../proc/sys/kernel/ostype",
        "..%2F..%2F..%2Fproc%2Fsys%2Fkernel%2Fostype",
        "....//....//proc/sys/kernel/ostype",
        "file:///proc/sys/kernel/./ostype",
        "..\\..\\windows\\win.ini",
        "/proc/sys/kernel/sentinel-nonexistent-kqzd",
        "https://sntlkqzd.invalid/bvtr",
        "//sntlkqzd.invalid/bvtr",
        "\r\nX-Sentinel-kqzd:bvtr",
        "%0d%0aX-Sentinel-kqzd:bvtr",
    ],
)
def test_the_guard_lets_the_harmless_new_payloads_through(added: str) -> None:
    assert unsafe_reason(added) is None


def test_unsafe_payload_says_why() -> None:
    error = UnsafePayload("OR")
    assert "safety guard" in str(error) and error.reason == "OR"


async def test_the_request_budget_holds() -> None:
    from examples.vulnerable_injection import app

    received = 0

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        nonlocal received
        if scope["type"] == "http":
            received += 1
        await app(scope, receive, send)

    limits = Limits(max_rps=1000, concurrency=8, max_requests=40, timeout=15)
    result = await scan_in_process(counting, limits=limits, level=2)
    assert not result.complete
    assert any("budget" in reason for reason in result.incomplete)
    assert received <= 40
