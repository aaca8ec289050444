"""Blind confirmation over real HTTP: flaws that never show their result and swallow errors into a
status (examples/vulnerable_blind.py) are found by syntax and boolean differentials; the twin
(examples/bait_blind.py), whose pages answer garbage with the same 500/400, shows nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from scanner import run_scan
from tests.scanner_injection.conftest import INJECTION_CHECKS, Served, config
from tests.support.servers import serve

pytestmark = pytest.mark.e2e

PLANTED = {
    "B1 blind eval": ("SNT204", "GET", "/score", "expr"),
    "B2 XPath, the whole expression": ("SNT205", "GET", "/exists", "q"),
    "B3 blind XXE": ("SNT202", "POST", "/upload", "document"),
    "B4 blind template": ("SNT206", "POST", "/notice", "subject"),
    "B5 blind SQL": ("SNT201", "POST", "/subscribe", "email"),
}


@pytest.fixture(scope="module")
def blind_level1() -> Iterator[Served]:
    with serve("examples.vulnerable_blind:app") as url:
        yield Served(url=url, result=asyncio.run(run_scan(config(url, checks=INJECTION_CHECKS))))


@pytest.fixture(scope="module")
def bait_blind_level2() -> Iterator[Served]:
    with serve("examples.bait_blind:app") as url:
        yield Served(url=url, result=asyncio.run(run_scan(config(url, level=2, checks=INJECTION_CHECKS))))


def test_every_blind_flaw_is_found_at_level_1_and_nothing_else(blind_level1: Served) -> None:
    result = blind_level1.result
    assert result.complete, result.incomplete
    found = {(f.rule.id, f.method, urlsplit(f.url).path, f.parameter) for f in result.findings}
    assert found == set(PLANTED.values())
    messages = " ".join(f.message for f in result.findings)
    for technique in ("blind eval", "the whole expression", "parser-error differential", "blind server-side"):
        assert technique in messages


def test_errors_on_garbage_are_not_injections(bait_blind_level2: Served) -> None:
    result = bait_blind_level2.result
    assert result.complete, result.incomplete
    assert result.findings == ()
