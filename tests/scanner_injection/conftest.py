"""Fixtures for the injection checks: the vulnerable and bait examples served over real HTTP, each
scanned once per session, and in-process helpers for the unit and safety tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner import LOOPBACK_LIMITS, ScanConfig, ScanResult, run_scan
from tests.support.servers import serve

#: The checks that put payloads into insertion points. The site-wide checks (CSRF, security headers)
#: have their own apps in tests/scanner_checks: these examples lack tokens and headers, truly.
INJECTION_CHECKS = frozenset(
    {
        "command-injection",
        "crlf-injection",
        "open-redirect",
        "path-traversal",
        "stored-xss",
        "sql-injection",
        "xxe",
        "format-string-injection",
        "eval-injection",
        "xpath-injection",
        "template-injection",
        "reflected-xss",
    }
)
TENANT_HEADER = (("X-Tenant", "acme"),)


@dataclass(frozen=True)
class Served:
    url: str
    result: ScanResult


def config(url: str, **overrides: Any) -> ScanConfig:
    options: dict[str, Any] = {"base_url": url, "limits": LOOPBACK_LIMITS}
    options.update(overrides)
    return ScanConfig(**options)


async def scan_in_process(app: Any, **overrides: Any) -> ScanResult:
    """Scan an ASGI app in-process (the engine's ``transport=`` seam)."""
    transport = httpx.ASGITransport(app=app)
    return await run_scan(config("http://127.0.0.1:8000", **overrides), transport=transport)


@pytest.fixture(scope="session")
def wire_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every request the served examples receive, one JSON line each (see ``recorder.py``)."""
    return tmp_path_factory.mktemp("wire") / "requests.jsonl"


def wire_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def vulnerable_url(wire_log: Path) -> Iterator[str]:
    with serve(
        "tests.scanner_injection.recorder:vulnerable", env={"SENTINEL_TEST_RECORD": str(wire_log)}
    ) as url:
        yield url


@pytest.fixture(scope="session")
def vulnerable_level1(vulnerable_url: str) -> Served:
    """The CI default (level 1), every check, with the tenant header configured."""
    result = asyncio.run(
        run_scan(config(vulnerable_url, inject_headers=TENANT_HEADER, checks=INJECTION_CHECKS))
    )
    return Served(url=vulnerable_url, result=result)


@pytest.fixture(scope="session")
def vulnerable_level2(vulnerable_url: str) -> Served:
    """Level 2 adds contexts and time-based SQL injection."""
    result = asyncio.run(
        run_scan(config(vulnerable_url, level=2, inject_headers=TENANT_HEADER, checks=INJECTION_CHECKS))
    )
    return Served(url=vulnerable_url, result=result)


@pytest.fixture(scope="session")
def bait_scan(wire_log: Path) -> Iterator[Served]:
    """The bait app at the most thorough level, headers included: the widest net for false positives."""
    with serve("tests.scanner_injection.recorder:bait", env={"SENTINEL_TEST_RECORD": str(wire_log)}) as url:
        result = asyncio.run(
            run_scan(config(url, level=3, inject_headers=TENANT_HEADER, checks=INJECTION_CHECKS))
        )
        yield Served(url=url, result=result)
