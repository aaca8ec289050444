"""AppServer: the app under test on a free loopback port, in its own process, always stopped."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from scanner.ci import AppFailed, AppServer

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _refused(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((parts.hostname or "", parts.port or 0)) != 0


def test_serves_on_loopback_with_the_given_environment_and_stops() -> None:
    server = AppServer("tests.gate.apps:app", app_dir=ROOT, env={"SENTINEL_GATE_PROBE": "42"})
    with pytest.raises(RuntimeError, match="the scan blew up"), server as url:
        assert urlsplit(url).hostname == "127.0.0.1"
        assert httpx.get(url + "probe", timeout=5).text == "42"
        raise RuntimeError("the scan blew up")
    assert _refused(url)  # stopped even though the body raised


def test_gives_up_on_an_app_that_never_answers() -> None:
    server = AppServer("tests.gate.slow_app:app", app_dir=ROOT, startup_timeout=1.0)
    with pytest.raises(AppFailed, match="did not answer within 1 s"), server:
        pass
    assert _refused(server.url)
