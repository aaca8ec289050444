"""``sentinel keygen``: a key the settings accept, on stdout alone; the recipe on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sentinel.cli import EXIT_USAGE, main
from sentinel.keys import MIN_KEY_BYTES, keys_from_env
from sentinel.settings import SentinelSettings


def test_key_is_accepted_by_the_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen"]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert "\n" not in key and "," not in key
    assert len(key.encode()) >= MIN_KEY_BYTES
    settings = SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": key})
    assert settings.secret_keys[0].reveal() == key.encode()
    assert 'SENTINEL_SECRET_KEYS="<new>,<old>"' in err


def test_rotation_list_from_two_runs_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    keys = []
    for _ in range(2):
        main(["keygen", "--quiet"])
        out, err = capsys.readouterr()
        assert err == ""
        keys.append(out.strip())
    assert keys[0] != keys[1]
    parsed = keys_from_env(environ={"SENTINEL_SECRET_KEYS": ",".join(keys)})
    assert [k.reveal().decode() for k in parsed] == keys


def test_bytes_below_the_minimum_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen", "--bytes", "16"]) == EXIT_USAGE
    assert "--bytes 16: choose 32 to 1024" in capsys.readouterr().err


def test_console_script_substitution_captures_only_the_key() -> None:
    """``export SENTINEL_SECRET_KEYS="$(sentinel keygen)"`` must capture the key and nothing else."""
    proc = subprocess.run(
        [sys.executable, "-m", "sentinel", "keygen"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ},
    )
    key = proc.stdout.strip()
    assert keys_from_env(environ={"SENTINEL_SECRET_KEYS": key})
    assert "rotation" in proc.stderr
