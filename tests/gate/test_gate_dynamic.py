"""``sentinel gate --app``: the gate serves the app itself on loopback, scans it, always stops it; one
merged SARIF for both halves. End to end over real HTTP (uvicorn in its own process)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.gate.conftest import Gate, make_project, valid_sarif

pytestmark = pytest.mark.e2e
PASSWORD_ENV = "SENTINEL_GATE_TEST_PASSWORD"
LOGIN = (
    "--login-url",
    "/login",
    "--username",
    "alice",
    "--password-env",
    PASSWORD_ENV,
    "--logout-url",
    "/logout",
)


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "correct horse battery staple")


def _served_url(document: dict[str, object]) -> str:
    runs = document["runs"]
    assert isinstance(runs, list)
    notes = [n["message"]["text"] for n in runs[-1]["invocations"][0]["toolExecutionNotifications"]]
    served = next(n for n in notes if n.startswith("the gate served"))
    return served.rsplit(" at ", 1)[1]


def _port_closed(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((parts.hostname or "", parts.port or 0)) != 0


def test_vulnerable_app_and_bad_sources_fail_with_one_merged_sarif(gate: Gate, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    table = f'paths = ["src"]\napp = "examples.vulnerable_sessions:app"\napp-dir = "{root}"\n'
    pyproject = make_project(tmp_path, sources="bad", table=table)
    sarif, junit = tmp_path / "gate.sarif", tmp_path / "gate.xml"
    run = gate("--config", pyproject, *LOGIN, "--sarif", sarif, "--junit", junit)
    assert run.code == 1, run.out + run.err
    document = valid_sarif(sarif)
    static, dynamic = document["runs"]
    assert static["tool"]["driver"]["name"] == "bandit"
    assert dynamic["tool"]["driver"]["name"] == "sentinel-scan"
    assert dynamic["invocations"][0]["executionSuccessful"] is True
    confirmed = {r["ruleId"] for r in dynamic["results"] if r["properties"]["confidence"] == "confirmed"}
    assert {"SNT102", "SNT103", "SNT104", "SNT105"} <= confirmed
    # GitHub rejects an upload whose locations are http:// URIs: relative ones against a base ID
    [target] = dynamic["originalUriBaseIds"].values()
    for result in dynamic["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "TARGET" and not artifact["uri"].startswith(("http", "/"))
    assert urlsplit(target["uri"]).path == "/"
    assert _port_closed(_served_url(document))  # the gate stopped the app it started
    suites = junit.read_text()
    assert '<testsuite name="bandit"' in suites and '<testsuite name="sentinel-scan"' in suites


def test_hardened_app_passes_with_our_own_configuration(
    gate: Gate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our pyproject's [tool.sentinel] (app examples.app:app, alice, password from the environment)."""
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("SENTINEL_GATE_PASSWORD", "correct horse battery staple")
    sarif = tmp_path / "gate.sarif"
    run = gate("--config", root / "pyproject.toml", "--dynamic-only", "--sarif", sarif)
    assert run.code == 0, run.out + run.err
    document = valid_sarif(sarif)
    [dynamic] = document["runs"]
    assert dynamic["invocations"][0]["executionSuccessful"] is True
    assert not [r for r in dynamic["results"] if r["level"] == "error"]
    assert _port_closed(_served_url(document))


def test_an_app_that_cannot_start_is_incomplete(gate: Gate, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    pyproject = make_project(tmp_path, table=f'app = "examples.does_not_exist:app"\napp-dir = "{root}"\n')
    sarif = tmp_path / "gate.sarif"
    run = gate("--config", pyproject, "--sarif", sarif, "--startup-timeout", "20")
    assert run.code == 2, run.out + run.err
    [dynamic] = valid_sarif(sarif)["runs"]
    assert dynamic["invocations"][0]["executionSuccessful"] is False
    notifications = json.dumps(dynamic["invocations"][0]["toolExecutionNotifications"])
    assert "exited with" in notifications and "examples.does_not_exist" in notifications
    assert dynamic["results"] == []
    assert "INCOMPLETE" in run.out


def test_an_unreachable_url_is_incomplete(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        run = gate("--config", pyproject, "--url", f"http://127.0.0.1:{port}/")
    assert run.code == 2, run.out + run.err
    assert "did not answer" in run.out and "INCOMPLETE" in run.out
