"""Discovery: HTML parsing, the crawler's bounds and refusals, OpenAPI, endpoint files, insertion points."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from scanner.config import LOOPBACK_LIMITS
from scanner.discovery import (
    Crawler,
    Discovery,
    is_dangerous,
    is_static,
    load_endpoints_file,
    parse_html,
    parse_openapi,
)
from scanner.discovery.endpoints import endpoint_from_form, endpoint_from_url
from scanner.discovery.fill import PROBE_USER, filled_fields
from scanner.errors import ScanConfigError
from scanner.http import HttpEngine, RequestSpec
from scanner.scope import ScopeGuard

PAGE = """<html><a href="/a?x=1">A</a><a href="/logout">Log out</a><a href="/items/3/delete">x</a>
<a href="/style.css">css</a><a href="http://elsewhere.example/">off</a><a href="javascript:void(0)">js</a>
<iframe src="/frame"></iframe>
<form action="/search" method="get"><input name="q" value="apple"><select name="n"><option value="5">5
<option value="6"></select></form>
<form action="/login" method="post"><input type="hidden" name="csrf" value="t0k">
<input name="username"><input type="password" name="password"><textarea name="note">hi</textarea>
<input type="checkbox" name="remember"><button name="go" value="1">Go</button></form>
<form action="/account/remove" method="post"><button>Remove account</button></form>
<form method="post" action="/signout"><button>Sign out</button></form></html>"""


def test_parse_html_collects_links_forms_and_fields() -> None:
    page = parse_html(PAGE)
    hrefs = [h for h, _ in page.links]
    assert "/a?x=1" in hrefs and "/frame" in hrefs
    login = next(f for f in page.forms if f.has_password)
    assert [(f.name, f.value) for f in login.fields] == [
        ("csrf", "t0k"),
        ("username", ""),
        ("password", ""),
        ("note", "hi"),
        ("remember", "on"),
        ("go", "1"),
    ]
    assert not next(f for f in login.fields if f.name == "remember").checked
    search = page.forms[0]
    assert search.method == "GET" and ("n", "5") in [(f.name, f.value) for f in search.fields]


FILL_PAGE = """<form method="post" action="/signup" enctype="multipart/form-data">
<input name="username" required><input type="email" name="contact"><input type="number" name="age" min="18">
<input type="date" name="start"><input type="password" name="password"><textarea name="bio"></textarea>
<select name="plan"><option value="">Choose...</option><option value="pro">Pro</option></select>
<input type="radio" name="size" value="s"><input type="radio" name="size" value="m" checked>
<input type="checkbox" name="agree" value="yes"><input name="doc" placeholder="<order/>">
<input type="file" name="upload"><input type="submit" name="go" value="Save">
<input type="submit" name="other" value="Cancel"></form>"""


def test_forms_are_filled_like_a_person_and_files_are_file_points() -> None:
    form = parse_html(FILL_PAGE).forms[0]
    filled = {f.name: f.value for f in filled_fields(form)}
    assert filled["username"] == PROBE_USER and filled["contact"] == "sentinel@example.com"
    assert filled["age"] == "18" and filled["start"] == "2024-01-15" and filled["plan"] == "pro"
    assert filled["size"] == "m" and filled["agree"] == "yes" and filled["go"] == "Save"
    assert "other" not in filled and len(filled["password"]) >= 12 and filled["bio"]
    endpoint = endpoint_from_form("POST", "http://t/signup", form)
    doc = next(p for p in endpoint.parameters if p.name == "doc")
    assert doc.placeholder == "<order/>" and doc.kind == "text"
    assert endpoint.body_format == "multipart"
    body, content_type = endpoint.request().body()
    assert content_type is not None and content_type.startswith("multipart/form-data; boundary=")
    assert b'name="upload"; filename=' in body and b'name="username"' in body
    upload = next(p for p in endpoint.insertion_points() if p.parameter.location == "file")
    spec = upload.inject_file(b"<svg/>", filename="x.svg", content_type="image/svg+xml")
    assert b"Content-Type: image/svg+xml\r\n\r\n<svg/>" in spec.body()[0]


def test_query_strings_encode_spaces_as_percent_20_and_forms_as_browsers_do() -> None:
    spec = RequestSpec(url="http://t/a?x=1", params=(("q", "<a b>&c+d"),), form=(("f", "a b"),))
    assert spec.full_url() == "http://t/a?x=1&q=%3Ca%20b%3E%26c%2Bd"
    assert spec.body() == (b"f=a+b", "application/x-www-form-urlencoded")


@given(st.text(max_size=500))
def test_parse_html_never_raises(text: str) -> None:
    parse_html(text)


def test_filters() -> None:
    assert is_dangerous("http://t/user/delete?id=1")
    assert is_dangerous("http://t/x", "Sign out")
    assert not is_dangerous("http://t/login")
    assert is_static("http://t/a/b.PNG") and not is_static("http://t/a.b/c")


requested: list[str] = []


def _site() -> Starlette:
    async def page(request: Request) -> Response:
        requested.append(request.url.path)
        depth = int(request.query_params.get("d", "0"))
        if request.url.path == "/":
            return HTMLResponse(PAGE + '<a href="/deep?d=1">deep</a>')
        return HTMLResponse(f'<a href="/deep?d={depth + 1}">deeper</a>')

    return Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST"])])


async def test_crawler_stays_in_bounds_and_never_follows_logout_or_delete() -> None:
    requested.clear()
    engine = HttpEngine(LOOPBACK_LIMITS, ScopeGuard("http://t/"), transport=httpx.ASGITransport(app=_site()))
    found = Discovery()
    async with engine.probe("crawl") as probe:
        await Crawler(probe, found, depth=2, max_pages=50).run(["http://t/"])
    assert not {"/logout", "/signout", "/items/3/delete", "/account/remove", "/style.css"} & set(requested)
    assert ("GET", "http://t/logout") in found.logout_targets
    assert ("POST", "http://t/signout") in found.logout_targets
    assert set(requested) <= {"/", "/a", "/frame", "/search", "/deep"}
    assert [p for p in found.pages if "deep" in p] == ["http://t/deep?d=1"]  # depth bound
    assert found.login_forms and found.login_forms[0][1].has_password
    assert any(e.method == "POST" and e.url == "http://t/login" for e in found.endpoints.values())
    assert found.skipped["looks destructive"] >= 2


OPENAPI = {
    "openapi": "3.0.3",
    "servers": [{"url": "/api/"}],
    "components": {
        "parameters": {"Id": {"name": "id", "in": "path", "schema": {"type": "integer"}}},
        "schemas": {
            "Note": {"properties": {"title": {"type": "string", "example": "t"}, "n": {"enum": [3]}}}
        },
    },
    "paths": {
        "/notes/{id}": {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "get": {"parameters": [{"name": "q", "in": "query", "schema": {"default": "x"}}]},
            "delete": {},
        },
        "/notes": {
            "post": {
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}
                }
            }
        },
    },
}


def test_openapi_paths_parameters_refs_and_bodies() -> None:
    endpoints = {(e.method, e.url): e for e in parse_openapi(json.dumps(OPENAPI), "http://t/")}
    get = endpoints[("GET", "http://t/api/notes/{id}")]
    assert get.request().full_url() == "http://t/api/notes/1?q=x"
    post = endpoints[("POST", "http://t/api/notes")]
    assert post.request().json_body == {"title": "t", "n": "3"}
    assert ("DELETE", "http://t/api/notes/{id}") in endpoints
    with pytest.raises(ScanConfigError):
        parse_openapi('{"swagger": "2.0"}', "http://t/")


def test_endpoints_file(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.txt"
    path.write_text(
        "# comment\nGET /search?q=apple\n/plain\nPOST /login username=alice&password=x\n"
        'POST /api/notes {"title": "t"}\n'
    )
    endpoints = load_endpoints_file(path, "http://t/")
    assert [(e.method, e.url) for e in endpoints] == [
        ("GET", "http://t/search"),
        ("GET", "http://t/plain"),
        ("POST", "http://t/login"),
        ("POST", "http://t/api/notes"),
    ]
    assert endpoints[2].request().form == (("username", "alice"), ("password", "x"))
    path.write_text("POST /x {not json}\n")
    with pytest.raises(ScanConfigError, match=":1: the body is not valid JSON"):
        load_endpoints_file(path, "http://t/")


def test_insertion_points_replace_one_value_each() -> None:
    endpoint = endpoint_from_url("POST", "http://t/f?a=1", source="crawl", form=[("b", "2")])
    points = endpoint.insertion_points()
    assert [(p.parameter.location, p.parameter.name) for p in points] == [("query", "a"), ("form", "b")]
    spec = points[1].inject("'", mode="append")
    assert spec.full_url() == "http://t/f?a=1" and spec.form == (("b", "2'"),)
    assert points[0].inject("X").full_url() == "http://t/f?a=X"


async def test_served_openapi_is_discovered() -> None:
    from examples.vulnerable_sessions import app
    from scanner.context import ScanContext
    from scanner.runner import _discover
    from tests.scanner.conftest import scan_config

    engine = HttpEngine(LOOPBACK_LIMITS, ScopeGuard("http://t/"), transport=httpx.ASGITransport(app=app))
    ctx = ScanContext(scan_config("http://t/"), engine)
    await _discover(ctx)
    sources = {(e.method, e.url): e.source for e in ctx.discovery.endpoints.values()}
    assert sources[("GET", "http://t/api/me")] == "openapi"  # linked from nowhere
    assert sources[("POST", "http://t/login")] == "crawl"


async def test_openapi_takes_an_absolute_file_path(tmp_path: Path) -> None:
    from examples.vulnerable_sessions import app
    from scanner.context import ScanContext
    from scanner.runner import _discover
    from tests.scanner.conftest import scan_config

    doc = tmp_path / "spec.json"
    doc.write_text(json.dumps({"openapi": "3.0.3", "paths": {"/only-in-file": {"get": {}}}}))
    engine = HttpEngine(LOOPBACK_LIMITS, ScopeGuard("http://t/"), transport=httpx.ASGITransport(app=app))
    ctx = ScanContext(scan_config("http://t/", openapi=str(doc.resolve())), engine)
    await _discover(ctx)
    assert ("GET", "http://t/only-in-file") in {(e.method, e.url) for e in ctx.discovery.endpoints.values()}


def test_trailing_slash_twins_subsets_and_redirect_hops_are_one_endpoint() -> None:
    found = Discovery()
    found.add(endpoint_from_url("GET", "http://t/posts/", source="crawl"))
    found.add(endpoint_from_url("GET", "http://t/posts", source="crawl"))
    found.add(endpoint_from_url("POST", "http://t/api/items", source="crawl", form=[("name", "x")]))
    found.add(
        endpoint_from_url("POST", "http://t/api/items/", source="openapi", form=[("name", "x"), ("n", "1")])
    )
    found.add(endpoint_from_url("GET", "http://t/old", source="crawl"))
    found.alias("http://t/old", "http://t/new")
    found.add(endpoint_from_url("GET", "http://t/go?to=/x", source="crawl"))
    found.alias("http://t/go?to=/x", "http://t/x")  # parameters decide where it goes: kept
    urls = sorted((e.method, e.url, len(e.parameters)) for e in found.endpoints.values())
    assert urls == [
        ("GET", "http://t/go", 1),
        ("GET", "http://t/new", 0),
        ("GET", "http://t/posts/", 0),
        ("POST", "http://t/api/items/", 2),
    ]
