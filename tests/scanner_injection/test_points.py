"""Where payloads go: skipped fields, configured headers (the probe lets them replace its defaults),
XML bodies from OpenAPI and endpoints files, scan levels and their configuration."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from scanner import ScanConfig, ScanConfigError
from scanner.active.levels import LEVEL_1, LEVEL_3, profile_for
from scanner.active.points import carries_xml, describe, finding_parameter, insertion_points
from scanner.context import ScanContext
from scanner.discovery.endpoints import XML_BODY, Endpoint, Parameter, endpoint_from_url, load_endpoints_file
from scanner.discovery.openapi import parse_openapi
from scanner.http.engine import HttpEngine
from scanner.scope import ScopeGuard
from tests.scanner_injection.conftest import scan_in_process

BASE = "http://127.0.0.1:8000"


def context(**overrides: Any) -> ScanContext:
    config = ScanConfig(base_url=BASE, **overrides)
    return ScanContext(config, HttpEngine(config.limits, ScopeGuard(BASE)))


def test_csrf_and_otp_fields_are_never_fuzzed_but_passwords_are() -> None:
    form = [("username", "alice"), ("password", ""), ("csrf_token", "x"), ("otp", "1"), ("note", "hi")]
    endpoint = endpoint_from_url("POST", f"{BASE}/login?next=/", source="crawl", form=form)
    names = [p.parameter.name for p in insertion_points(context(), endpoint)]
    assert names == ["next", "username", "password", "note"]


def test_configured_headers_become_points_with_benign_baselines() -> None:
    endpoint = endpoint_from_url("GET", f"{BASE}/search?q=a", source="crawl")
    ctx = context(inject_headers=(("X-Tenant", "acme"), ("User-Agent", ""), ("Referer", ""), ("X-Other", "")))
    points = insertion_points(ctx, endpoint)
    headers = {p.parameter.name: p for p in points if p.parameter.location == "header"}
    assert set(headers) == {"X-Tenant", "User-Agent", "Referer", "X-Other"}
    baseline = dict(headers["X-Tenant"].endpoint.request().headers)
    assert baseline == {"X-Tenant": "acme"}
    assert dict(headers["Referer"].endpoint.request().headers) == {"Referer": BASE}
    assert "sentinel-scan" in dict(headers["User-Agent"].endpoint.request().headers)["User-Agent"]
    assert dict(headers["X-Other"].endpoint.request().headers) == {"X-Other": "1"}
    spec = headers["X-Tenant"].inject("acme'")
    assert dict(spec.headers) == {"X-Tenant": "acme'"} and spec.params == (("q", "a"),)
    assert finding_parameter(headers["X-Tenant"]) == "header:X-Tenant"
    assert describe(headers["X-Tenant"]) == "header 'X-Tenant'"


async def test_an_injected_user_agent_replaces_the_scanners_own() -> None:
    """Without the probe letting a spec's header replace its default, the app would see the scanner's
    User-Agent first and the payload never."""

    async def home(request: Request) -> Response:
        agent = request.headers.get("user-agent", "")
        q = escape(request.query_params.get("q", ""))
        return HTMLResponse(f'<p>Your browser: {agent}</p><a href="/?q=hello">{q}</a>')

    app = Starlette(routes=[Route("/", home)])
    result = await scan_in_process(
        app, checks=frozenset({"reflected-xss"}), inject_headers=(("User-Agent", ""),)
    )
    assert [(f.rule.id, f.parameter) for f in result.findings] == [("SNT207", "header:User-Agent")]


def test_xml_request_bodies_from_openapi_and_endpoint_files(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/import": {
                "post": {"requestBody": {"content": {"application/xml": {"example": "<a><b>1</b></a>"}}}}
            },
            "/both": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"properties": {"n": {"type": "string"}}}},
                            "text/xml": {},
                        }
                    }
                }
            },
            "/bare": {"put": {"requestBody": {"content": {"text/xml": {}}}}},
        },
    }
    endpoints = {e.url.rsplit("/", 1)[1]: e for e in parse_openapi(json.dumps(doc), BASE)}
    assert endpoints["import"].parameters == (
        Parameter(name=XML_BODY, location="xml", value="<a><b>1</b></a>", kind="openapi"),
    )
    assert [p.location for p in endpoints["both"].parameters] == ["json"]  # JSON wins when both exist
    assert endpoints["bare"].parameters[0].value == "<root>test</root>"
    spec = endpoints["import"].request()
    assert spec.body() == (b"<a><b>1</b></a>", "application/xml")

    lines = tmp_path / "endpoints.txt"
    lines.write_text("POST /api/import <order><item>apple</item></order>\n", encoding="utf-8")
    (endpoint,) = load_endpoints_file(lines, BASE)
    (point,) = endpoint.insertion_points()
    assert carries_xml(point) and describe(point) == "the XML request body"
    assert point.inject("<x/>").body() == (b"<x/>", "application/xml")


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        (Parameter(name="document", location="form", value="<note><to>a</to></note>"), True),
        (Parameter(name="xml", location="json", value=""), True),
        (Parameter(name="payload", location="json", value="<feed/>"), True),
        (Parameter(name="q", location="query", value="apple"), False),
        (Parameter(name="xml", location="query", value="apple"), False),
    ],
)
def test_which_points_get_an_xxe_probe(parameter: Parameter, expected: bool) -> None:
    endpoint = Endpoint(method="POST", url=f"{BASE}/x", parameters=(parameter,))
    assert carries_xml(endpoint.insertion_points()[0]) is expected


def test_levels_and_their_validation() -> None:
    assert profile_for(context()) is LEVEL_1
    assert profile_for(context(level=3)) is LEVEL_3
    # Level 1 probes time in one context per point (issue #13); level 3 in every context, more rounds.
    assert LEVEL_1.time_contexts < LEVEL_3.time_contexts and LEVEL_3.boolean_rounds > LEVEL_1.boolean_rounds
    with pytest.raises(ScanConfigError) as caught:
        ScanConfig(
            base_url=BASE,
            level=4,
            inject_headers=(("Bad Name", "x"), ("Host", "x"), ("Cookie", "a=b"), ("X-Ok", "a\r\nb")),
        )
    problems = caught.value.problems
    assert "--level must be 1, 2 or 3" in problems
    assert any("'Bad Name' is not a valid header name" in p for p in problems)
    assert any("Host: that header cannot be injected" in p for p in problems)
    assert any("Cookie: that header cannot be injected" in p for p in problems)
    assert any("X-Ok: the value must be one line" in p for p in problems)


def test_the_cli_flags(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from sentinel.cli import main
    from sentinel.commands.scan import add_arguments, build_config

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        [BASE, "--level", "2", "--inject-header", "X-Tenant: acme", "--inject-header", "Referer"]
    )
    config = build_config(args)
    assert config.level == 2
    assert config.inject_headers == (("X-Tenant", "acme"), ("Referer", ""))
    assert parser.parse_args([BASE]).level == 1
    with pytest.raises(SystemExit) as exited:
        main(["scan", BASE, "--level", "4"])
    assert exited.value.code == 2
    assert "invalid choice: 4" in capsys.readouterr().err
