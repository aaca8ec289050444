"""Fixtures for the web checks of issue #13: examples/vulnerable_web.py and its twin examples/bait_web.py
served by uvicorn on 127.0.0.1, each scanned once per session."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from scanner import run_scan
from tests.scanner_injection.conftest import Served, config
from tests.support.servers import serve


@pytest.fixture(scope="session")
def web_level1() -> Iterator[Served]:
    with serve("examples.vulnerable_web:app") as url:
        yield Served(url=url, result=asyncio.run(run_scan(config(url))))


@pytest.fixture(scope="session")
def bait_web_level2() -> Iterator[Served]:
    """The twin at level 2 (every payload family): the widest net for false positives."""
    with serve("examples.bait_web:app") as url:
        yield Served(url=url, result=asyncio.run(run_scan(config(url, level=2))))
