"""The plugins are registered through bandit's entry point, with IDs of their own, and documented."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import pytest

from scanner.checks import registry
from sentinel_bandit import RULES, documentation, plugins

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_is_a_bandit_plugin_entry_point() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][
        "bandit.plugins"
    ]
    assert declared == {r.function: f"sentinel_bandit.{r.module}:{r.function}" for r in RULES}
    installed = {e.name: e.value for e in importlib.metadata.entry_points(group="bandit.plugins")}
    assert {name: installed.get(name) for name in declared} == declared


def test_bandit_loads_them_under_their_ids() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The verify_requirements argument", DeprecationWarning)
        from sentinel_bandit.__main__ import missing_plugins

        assert missing_plugins() == []
    loaded = plugins()
    assert sorted(loaded) == sorted(r.id for r in RULES)
    assert all(getattr(fn, "_test_id", None) == rule_id for rule_id, fn in loaded.items())


def test_ids_are_ours_and_clash_with_nothing() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The verify_requirements argument", DeprecationWarning)
        from bandit.core import extension_loader

    ours = [r.id for r in RULES]
    assert len(set(ours)) == len(ours) and all(i.startswith("SNT9") for i in ours)
    bandit_ids = {i for i in extension_loader.MANAGER.plugins_by_id if not i.startswith("SNT")}
    bandit_ids |= set(extension_loader.MANAGER.blacklist_by_id)
    scanner_ids = {r.id for spec in registry() for r in spec.rules}
    assert not set(ours) & (bandit_ids | scanner_ids)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_each_plugin_documents_itself(rule: object) -> None:
    from sentinel_bandit.rules import PluginRule

    assert isinstance(rule, PluginRule)
    doc = documentation(rule)
    assert doc.startswith(f"{rule.id} {rule.name}: ")
    assert f"(CWE-{rule.cwe})" in doc.splitlines()[0]
    for part in ("**What it detects", "**Why it matters.**", "**Example evidence.**", "**How to fix.**"):
        assert part in doc


def test_the_argon2_floor_is_sentinels() -> None:
    from sentinel.passwords.profiles import OWASP_MINIMUMS
    from sentinel_bandit.weak_argon2 import OWASP_MINIMUMS as PLUGIN_FLOOR

    assert PLUGIN_FLOOR == OWASP_MINIMUMS


def test_the_runner_refuses_to_run_without_its_plugins(tmp_path: Path) -> None:
    """``python -m sentinel_bandit`` when a plugin does not load: exit 3, not a scan without it."""
    site = tmp_path / "site"
    site.mkdir()
    # A plugin module that fails to import: stevedore logs it and bandit runs without it.
    broken = "import sys\nsys.modules['sentinel_bandit.eval_injection'] = None\n"
    (site / "sitecustomize.py").write_text(broken)
    target = tmp_path / "x.py"
    target.write_text("X = 1\n")
    env = {"PYTHONPATH": f"{site}:{ROOT}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "sentinel_bandit", "-q", "-r", str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "SNT909" in done.stderr and "reinstall" in done.stderr


def test_static_rule_pages_match_their_docstrings() -> None:
    from sentinel_bandit._docs import pages

    assert len(pages()) == len(RULES)
    for path, text in pages().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"stale: run python -m sentinel_bandit._docs ({path.name})"
        )
