"""One baseline for both halves: recording it, ``--new-only``, line-insensitive static fingerprints,
accepted entries, expiry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sentinel_bandit.rules import RULES
from tests.gate.conftest import Gate, make_project, valid_sarif


def _results(sarif: Path) -> list[dict[str, Any]]:
    return [r for r in valid_sarif(sarif)["runs"][0]["results"] if r["ruleId"].startswith("SNT")]


def test_adoption_with_write_baseline_then_new_only(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, sources="bad", table='paths = ["src"]\nbaseline = "baseline.json"\n')
    baseline, sarif = tmp_path / "baseline.json", tmp_path / "gate.sarif"
    run = gate("--config", pyproject)
    assert run.code == 2 and "cannot read --baseline" in run.err  # configured, but not recorded yet
    recorded = gate("--config", pyproject, "--write-baseline", baseline)
    assert recorded.code == 0, recorded.err
    entries = json.loads(baseline.read_text())["suppressions"]
    assert {e["rule"] for e in entries if e["rule"].startswith("SNT")} == {r.id for r in RULES}
    assert all(e["existing"] is True and e["reason"].startswith("existing when") for e in entries)
    assert any(e["where"].startswith("src/auth.py:") for e in entries)

    # --new-only: old findings do not block; without it, the debt still fails the build
    assert gate("--config", pyproject, "--new-only").code == 0
    assert gate("--config", pyproject).code == 1
    baseline.write_text("{not json")
    assert gate("--config", pyproject, "--new-only").code == 2
    assert (
        gate("--config", pyproject, "--write-baseline", baseline).code == 2
    )  # never overwrite a broken file
    baseline.unlink()
    assert gate("--config", pyproject, "--write-baseline", baseline).code == 0

    # moving code around keeps fingerprints (line-insensitive): still nothing new
    auth = tmp_path / "src" / "auth.py"
    auth.write_text(
        '"""Moved."""\n\n\n'
        + auth.read_text()
        .replace("    return digest", "        return digest")
        .replace("    digest = ", "    if True:\n        digest = ")
        .replace("\n    request.session", "\n        request.session")
    )
    assert gate("--config", pyproject, "--baseline", baseline, "--new-only", "--sarif", sarif).code == 0
    assert all("suppressions" in r for r in _results(sarif))

    # a new flaw fails, alone; a copy of an old one is new too (occurrences are counted)
    with auth.open("a") as source:
        source.write('\n\nSIGNING_KEY = "another"\n\n\ndef again(password):\n')
        source.write("    return hashlib.md5(form['password'].encode()).hexdigest()\n")
    assert gate("--config", pyproject, "--baseline", baseline, "--new-only", "--sarif", sarif).code == 1
    new = [r for r in _results(sarif) if "suppressions" not in r]
    assert sorted(r["ruleId"] for r in new) == ["SNT904", "SNT910"]


def test_accepted_entries_suppress_everywhere_and_expire(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, table='paths = ["src"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "settings.py").write_text('SECRET_KEY = "dev"\n', encoding="utf-8")
    sarif = tmp_path / "gate.sarif"
    assert gate("--config", pyproject, "--sarif", sarif).code == 1
    [finding] = _results(sarif)
    fingerprint = finding["partialFingerprints"]["sentinelStatic/v1"]

    baseline = tmp_path / "accepted.json"
    entry = {"fingerprint": fingerprint, "reason": "local development settings only"}
    baseline.write_text(json.dumps({"version": 1, "suppressions": [entry]}))
    assert gate("--config", pyproject, "--baseline", baseline, "--sarif", sarif).code == 0
    [finding] = _results(sarif)
    assert finding["suppressions"][0]["justification"] == "local development settings only"

    baseline.write_text(json.dumps({"version": 1, "suppressions": [{**entry, "expires": "2020-01-01"}]}))
    run = gate("--config", pyproject, "--baseline", baseline)
    assert run.code == 1
    assert "expired on 2020-01-01" in run.out

    existing = {**entry, "existing": True}
    baseline.write_text(json.dumps({"version": 1, "suppressions": [existing]}))
    assert gate("--config", pyproject, "--baseline", baseline).code == 1
    assert gate("--config", pyproject, "--baseline", baseline, "--new-only").code == 0


def test_rewriting_keeps_accepted_entries_and_drops_fixed_ones(gate: Gate, tmp_path: Path) -> None:
    pyproject = make_project(tmp_path, table='paths = ["src"]\n')
    (tmp_path / "src").mkdir()
    settings = tmp_path / "src" / "settings.py"
    settings.write_text('SECRET_KEY = "dev"\nSIGNING_KEY = "x"\n', encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    accepted = {"fingerprint": "0" * 32, "reason": "accepted by security review #12"}
    baseline.write_text(json.dumps({"version": 1, "suppressions": [accepted]}))
    assert gate("--config", pyproject, "--write-baseline", baseline).code == 0
    assert _rules(baseline) == [None, "B105", "SNT910", "SNT910"]
    settings.write_text('SECRET_KEY = "dev"\n', encoding="utf-8")
    assert gate("--config", pyproject, "--write-baseline", baseline).code == 0
    assert _rules(baseline) == [None, "B105", "SNT910"]
    assert accepted in json.loads(baseline.read_text())["suppressions"]


def _rules(baseline: Path) -> list[str | None]:
    entries = json.loads(baseline.read_text())["suppressions"]
    return sorted((e.get("rule") for e in entries), key=lambda r: r or "")


def test_the_extended_format_round_trips_and_is_validated(tmp_path: Path) -> None:
    import datetime as dt

    import pytest

    from scanner import ScanConfigError, load_baseline
    from scanner.baseline import BaselineEntry, dump_baseline, resolve_baseline

    entries = [
        BaselineEntry(fingerprint="b" * 32, reason="existing", existing=True, rule="SNT904", where="a.py:3"),
        BaselineEntry(fingerprint="a" * 32, reason="accepted", expires=dt.date(2030, 1, 1)),
    ]
    path = tmp_path / "baseline.json"
    path.write_text(dump_baseline(entries))
    assert load_baseline(path) == sorted(entries, key=lambda e: e.fingerprint)
    live, problems = resolve_baseline(entries, today=dt.date(2031, 1, 1))
    assert live == {} and problems == (
        f"baseline entry {'a' * 32} expired on 2030-01-01: renew or remove it (accepted)",
    )
    assert set(resolve_baseline(entries, today=dt.date(2029, 1, 1), new_only=True)[0]) == {"a" * 32, "b" * 32}

    path.write_text(
        json.dumps({"suppressions": [{"fingerprint": "c", "reason": "r", "existing": "yes", "rule": 9}]})
    )
    with pytest.raises(ScanConfigError) as caught:
        load_baseline(path)
    assert len(caught.value.problems) == 2
