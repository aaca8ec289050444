"""Pepper: configuration from the environment, key ids in the hash, rotation, and what a database
thief without the pepper can do with a hash (nothing)."""

from __future__ import annotations

from pathlib import Path

import argon2
import pytest

from sentinel.errors import ConfigurationError
from sentinel.passwords import PEPPER_ENV, PasswordHasher, Pepper, UnknownPepperKey, identify
from tests.passwords.conftest import PASSWORDS, PEPPER_A, PEPPER_B, WRONG, HasherFactory

PW = PASSWORDS[0]


def test_pepper_from_env_and_file(tmp_path: Path) -> None:
    assert Pepper.from_env({}) is None
    from_value = Pepper.from_env({PEPPER_ENV: f"{PEPPER_B},{PEPPER_A}"})
    key_file = tmp_path / "pepper"
    key_file.write_text(f"{PEPPER_B}\n{PEPPER_A}\n")
    from_file = Pepper.from_env({f"{PEPPER_ENV}_FILE": str(key_file)})

    assert from_value is not None and from_file is not None
    assert from_value.kids == from_file.kids
    assert from_value.current_kid == Pepper([PEPPER_B]).current_kid  # newest first


@pytest.mark.parametrize(
    "environ",
    [
        {PEPPER_ENV: "too-short"},
        {PEPPER_ENV: PEPPER_A, f"{PEPPER_ENV}_FILE": "/nonexistent"},
        {f"{PEPPER_ENV}_FILE": "/nonexistent/pepper"},
        {PEPPER_ENV: f"{PEPPER_A},{PEPPER_A}"},
    ],
    ids=["short", "both", "unreadable", "duplicate"],
)
def test_bad_pepper_configuration_is_refused(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        Pepper.from_env(environ)


def test_hasher_reads_the_pepper_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PEPPER_ENV, PEPPER_A)
    hasher = PasswordHasher(pepper="env")
    assert hasher.pepper is not None and hasher.pepper.current_kid == Pepper([PEPPER_A]).current_kid


def test_key_id_is_stable_distinct_and_recorded(make_hasher: HasherFactory) -> None:
    hasher = make_hasher(pepper=Pepper([PEPPER_A]))
    kid = Pepper([PEPPER_A]).current_kid

    stored = hasher.hash(PW)

    assert len(kid) == 8 and kid != Pepper([PEPPER_B]).current_kid
    assert stored.startswith(f"$sentinel-pepper$v=1$kid={kid}$argon2id$")
    assert identify(stored).pepper_kid == kid and identify(stored).kind == "argon2"
    assert hasher.verify(stored, PW) is True and hasher.verify(stored, WRONG) is False


def test_the_pepper_is_really_applied(make_hasher: HasherFactory) -> None:
    """Attack: a thief strips the envelope and guesses passwords against the bare argon2 hash."""
    stored = make_hasher(pepper=Pepper([PEPPER_A])).hash(PW)
    inner = stored[stored.index("$argon2id$") :]

    with pytest.raises(argon2.exceptions.VerifyMismatchError):
        argon2.PasswordHasher().verify(inner, PW)
    assert make_hasher().verify(inner, PW) is False


def test_a_hash_needs_the_pepper_it_was_made_with(make_hasher: HasherFactory) -> None:
    stored = make_hasher(pepper=Pepper([PEPPER_A])).hash(PW)

    with pytest.raises(UnknownPepperKey) as caught:
        make_hasher().verify(stored, PW)  # pepper forgotten in the deployment: loud, not "wrong password"
    assert caught.value.kid == Pepper([PEPPER_A]).current_kid
    with pytest.raises(UnknownPepperKey):
        make_hasher(pepper=Pepper([PEPPER_B])).verify(stored, PW)


def test_rotation_old_keys_verify_and_logins_re_pepper(make_hasher: HasherFactory) -> None:
    old = make_hasher(pepper=Pepper([PEPPER_A]))
    rotated = make_hasher(pepper=Pepper([PEPPER_B, PEPPER_A]))  # newest first
    stored = old.hash(PW)

    assert rotated.verify(stored, PW) is True
    assert rotated.needs_update(stored) is True
    ok, repeppered = rotated.verify_and_update(stored, PW)
    assert ok is True and repeppered is not None
    assert identify(repeppered).pepper_kid == Pepper([PEPPER_B]).current_kid
    assert rotated.needs_update(repeppered) is False
    assert make_hasher(pepper=Pepper([PEPPER_B])).verify(repeppered, PW) is True  # old key can now go
    assert rotated.verify_and_update(stored, WRONG) == (False, None)


def test_adding_a_pepper_later_upgrades_unpeppered_hashes(make_hasher: HasherFactory) -> None:
    stored = make_hasher().hash(PW)
    peppered = make_hasher(pepper=Pepper([PEPPER_A]))

    assert peppered.verify(stored, PW) is True
    ok, new_hash = peppered.verify_and_update(stored, PW)
    assert ok and new_hash is not None and identify(new_hash).pepper_kid is not None
