"""Formats that need more than a vector: Django's own argon2 spelling, Django's unusable passwords,
Flask-Bcrypt's long-password mode (declared), and the compact wrap of each framework's hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.passwords import NotWrappable, PasswordHasher, identify
from tests.passwords.conftest import PASSWORDS, WRONG, HasherFactory
from tests.passwords.vectors import FLASK_BCRYPT_LONG, django, django_hashers

PW = PASSWORDS[1]


def test_django_argon2_verifies_and_is_rehashed_at_login(hasher: PasswordHasher) -> None:
    """Django's Argon2PasswordHasher stores "argon2" + argon2-cffi's encoding; it is argon2 already,
    so it is left as it is by a migration and rewritten in the standard spelling at the next login."""
    stored = django("Argon2PasswordHasher", time_cost=1, memory_cost=64, parallelism=1)(PW)
    assert stored.startswith("argon2$argon2id$")

    info = identify(stored)
    assert (info.kind, info.scheme, info.is_legacy) == ("argon2", "argon2id", False)
    assert hasher.verify(stored, PW) is True
    assert hasher.verify(stored, WRONG) is False
    assert hasher.needs_update(stored) is True
    ok, new_hash = hasher.verify_and_update(stored, PW)
    assert ok is True and new_hash is not None and new_hash.startswith("$argon2id$")
    with pytest.raises(NotWrappable):
        hasher.wrap(stored)


def test_django_unusable_password_never_verifies_and_is_left_alone(hasher: PasswordHasher) -> None:
    """``make_password(None)`` ("!" + 40 characters) marks an account that cannot log in with a
    password: no password may match it, and nothing is there to migrate."""
    unusable = str(django_hashers().make_password(None))
    assert unusable.startswith("!") and len(unusable) == 41

    info = identify(unusable)
    assert (info.kind, info.is_legacy, info.wrappable) == ("unusable", False, False)
    for attempt in (PW, unusable, unusable[1:], ""):
        assert hasher.verify(unusable, attempt) is False
        assert hasher.verify_and_update(unusable, attempt) == (False, None)
    assert hasher.needs_update(unusable) is False
    with pytest.raises(NotWrappable, match="unusable"):
        hasher.wrap(unusable)
    assert identify("!").kind == "unusable"  # Django before 1.6 wrote "!" alone


def test_flask_bcrypt_long_passwords_verify_only_when_declared(make_hasher: HasherFactory) -> None:
    """Flask-Bcrypt's BCRYPT_HANDLE_LONG_PASSWORDS=True hashes sha256(password).hexdigest(): the value
    looks like plain bcrypt, so read as plain bcrypt the right password fails. Declared, it works."""
    password = "a long passphrase " * 6  # 108 bytes: over bcrypt's 72, the reason for the setting
    stored = FLASK_BCRYPT_LONG.make(password)
    plain = make_hasher()
    declared = make_hasher(flask_bcrypt_long_passwords=True)

    assert identify(stored).scheme == "bcrypt"
    assert plain.verify(stored, password) is False  # what users saw before: undocumented failure
    assert identify(stored, flask_bcrypt_long_passwords=True).scheme == "flask-bcrypt-sha256"
    assert declared.verify(stored, password) is True
    assert declared.verify(stored, password[:72]) is False  # no truncation: the whole password counts
    assert declared.verify(stored, WRONG) is False

    wrapped = declared.wrap(stored)
    assert identify(wrapped).scheme == "flask-bcrypt-sha256"
    assert plain.verify(wrapped, password) is True  # the wrap names the scheme: no declaration needed
    ok, upgraded = plain.verify_and_update(wrapped, password)
    assert ok is True and upgraded is not None and upgraded.startswith("$argon2id$")


def test_a_declared_flask_column_still_reads_other_formats(make_hasher: HasherFactory) -> None:
    declared = make_hasher(flask_bcrypt_long_passwords=True)
    django_bcrypt = django("BCryptSHA256PasswordHasher", rounds=4)(PW)

    assert declared.verify(django_bcrypt, PW) is True
    assert identify(django_bcrypt, flask_bcrypt_long_passwords=True).scheme == "django-bcrypt-sha256"


@pytest.mark.parametrize(
    ("hasher_name", "cheap"),
    [
        ("PBKDF2PasswordHasher", {"iterations": 1000}),
        ("PBKDF2SHA1PasswordHasher", {"iterations": 1000}),
        ("ScryptPasswordHasher", {"work_factor": 1024}),
        ("BCryptSHA256PasswordHasher", {"rounds": 4}),
        ("MD5PasswordHasher", {}),
    ],
)
def test_django_hashes_wrap_into_varchar_128(
    hasher: PasswordHasher, hasher_name: str, cheap: dict[str, int]
) -> None:
    stored = django(hasher_name, **cheap)(PW)

    wrapped = hasher.wrap(stored)

    assert len(wrapped) <= 128
    assert hasher.verify(wrapped, PW) is True
    assert hasher.verify(wrapped, WRONG) is False


def test_the_documented_flask_bcrypt_recipe_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/passwords.md's example, executed as written, then used on a real Flask-Bcrypt hash."""
    monkeypatch.delenv("SENTINEL_PASSWORD_PEPPER", raising=False)
    monkeypatch.delenv("SENTINEL_PASSWORD_PEPPER_FILE", raising=False)
    text = (Path(__file__).parents[2] / "docs" / "passwords.md").read_text(encoding="utf-8")
    section = text.split("### Flask-Bcrypt long-password mode", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}

    exec(compile(code, "docs/passwords.md", "exec"), namespace)  # noqa: S102 - our own documentation

    hasher = namespace["hasher"]
    assert isinstance(hasher, PasswordHasher)
    assert hasher.verify(FLASK_BCRYPT_LONG.make(PW), PW) is True
