"""Swagger UI behind Sentinel: every script and stylesheet allowed by the CSP under both header
profiles, and "Try it out" POSTs carrying the token. FastAPI's own /docs page fails both: shown too."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel

import sentinel
from sentinel.headers import BASIC, STRICT, HeaderPolicy
from sentinel.headers.policy import parse_csp
from sentinel.openapi import swagger_ui_html
from sentinel.testing import SentinelClient, find_csrf_token
from tests.support.servers import TEST_KEY

_ATTR = re.compile(r"""([\w-]+)\s*=\s*"([^"]*)\"""")


def blocked(html: str, csp: str) -> list[str]:
    """The scripts and stylesheets of ``html`` that a browser enforcing ``csp`` would refuse."""
    directives = dict(parse_csp(csp))
    refused = []
    tags = [("script-src", t, "src") for t in re.findall(r"<script\b[^>]*>", html)]
    tags += [("style-src", t, "href") for t in re.findall(r"<link\b[^>]*stylesheet[^>]*>", html)]
    for directive, tag, url_attr in tags:
        sources = directives.get(directive, directives.get("default-src"))
        if sources is None:
            continue  # not restricted
        attrs = dict(_ATTR.findall(tag))
        nonce = attrs.get("nonce")
        if nonce and f"'nonce-{nonce}'" in sources.split():
            continue
        url = attrs.get(url_attr)
        if url is None:
            if "'unsafe-inline'" not in sources:
                refused.append(tag)
            continue
        host = urlsplit(url).netloc
        if (not host and "'self'" in sources) or (host and any(host in s for s in sources.split())):
            continue
        refused.append(tag)
    return refused


class Item(BaseModel):
    sku: str


def build(policy: HeaderPolicy, *, ours: bool) -> sentinel.Protected:
    api = FastAPI(docs_url=None if ours else "/docs")

    if ours:

        @api.get("/docs", include_in_schema=False)
        async def docs(request: Request) -> object:
            return swagger_ui_html(request, openapi_url="/openapi.json")

    @api.post("/items")
    async def add(item: Item) -> dict[str, str]:
        return {"added": item.sku}

    return sentinel.protect(api, secret_keys=[TEST_KEY], headers=policy)


@pytest.mark.parametrize("policy", [BASIC, STRICT], ids=["basic", "strict"])
def test_our_swagger_page_loads_under_both_profiles(policy: HeaderPolicy) -> None:
    with SentinelClient(build(policy, ours=True)) as client:
        page = client.get("/docs")
    assert page.status_code == 200
    assert "no-store" in page.headers["cache-control"]
    assert blocked(page.text, page.headers["content-security-policy"]) == []
    assert client.get("/openapi.json").status_code == 200


def test_fastapis_own_page_is_blank_under_strict() -> None:
    """Why the helper exists: the same check refuses FastAPI's page under the strict profile."""
    with SentinelClient(build(STRICT, ours=False)) as client:
        page = client.get("/docs")
    assert len(blocked(page.text, page.headers["content-security-policy"])) >= 2


def test_try_it_out_posts_with_the_pages_token() -> None:
    with SentinelClient(build(STRICT, ours=True)) as client:
        page = client.get("/docs")
        token = find_csrf_token(page.text)
        assert '"X-CSRF-Token"' in page.text  # the request interceptor's header
        ok = client.post("/items", json={"sku": "A-1"}, headers={"X-CSRF-Token": token})
        assert ok.status_code == 200 and ok.json() == {"added": "A-1"}
        assert client.post("/items", json={"sku": "A-1"}).status_code == 403


def test_the_page_renders_with_headers_and_csrf_off() -> None:
    api = FastAPI(docs_url=None)

    @api.get("/docs")
    async def docs(request: Request) -> object:
        return swagger_ui_html(request)

    with pytest.warns(sentinel.SentinelUnsafeWarning):
        app = sentinel.protect(api, secret_keys=[TEST_KEY], headers=None, csrf=None)
    with SentinelClient(app) as client:
        assert 'content=""' in client.get("/docs").text


def test_the_cdn_files_are_pinned_and_integrity_checked() -> None:
    """Red-team finding: the nonce makes the CDN script trusted, so a floating ``@5`` (any future
    release, or a compromised CDN) would run with the page's CSRF token. One release, SRI hashes."""
    import re

    from sentinel.openapi import SWAGGER_VERSION

    with SentinelClient(build(STRICT, ours=True)) as client:
        page = client.get("/docs").text
    tags = re.findall(r"<(?:script|link)[^>]*cdn\.jsdelivr\.net[^>]*>", page)
    assert len(tags) == 2, tags
    for tag in tags:
        assert f"swagger-ui-dist@{SWAGGER_VERSION}/" in tag
        assert re.search(r'integrity="sha384-[A-Za-z0-9+/]{64}"', tag) and 'crossorigin="anonymous"' in tag
