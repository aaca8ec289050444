"""Fixtures for the scanner tests: in-process scans (ASGITransport) and apps served over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from scanner import LOOPBACK_LIMITS, LoginConfig, ScanConfig, ScanResult, run_scan
from sentinel.keys import Secret
from tests.support.servers import serve

DEMO_PASSWORD = "correct horse battery staple"
BASE = "http://127.0.0.1:8000"


def login_config(**overrides: Any) -> LoginConfig:
    options: dict[str, Any] = {
        "url": "/login",
        "username": "alice",
        "password": Secret(DEMO_PASSWORD),
        "logout_url": "/logout",
    }
    options.update(overrides)
    return LoginConfig(**options)


def scan_config(base: str = BASE, **overrides: Any) -> ScanConfig:
    options: dict[str, Any] = {"base_url": base, "limits": LOOPBACK_LIMITS}
    options.update(overrides)
    return ScanConfig(**options)


async def scan_app(app: Any, **overrides: Any) -> ScanResult:
    """Scan an ASGI app in-process (the ``transport=`` seam)."""
    return await run_scan(scan_config(**overrides), transport=httpx.ASGITransport(app=app))


@dataclass(frozen=True)
class Served:
    url: str
    result: ScanResult


@pytest.fixture(scope="module")
def vulnerable_scan() -> Iterator[Served]:
    """examples/vulnerable_sessions.py over real HTTP, scanned once per module."""
    with serve("examples.vulnerable_sessions:app") as url:
        result = asyncio.run(run_scan(scan_config(url, login=login_config())))
        yield Served(url=url, result=result)


@pytest.fixture(scope="module")
def hardened_scan() -> Iterator[Served]:
    """examples/app.py (the hardened app) over real HTTP, scanned once per module."""
    with serve("examples.app:app") as url:
        result = asyncio.run(run_scan(scan_config(url, login=login_config())))
        yield Served(url=url, result=result)
