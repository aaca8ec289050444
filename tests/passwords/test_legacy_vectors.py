"""Every legacy scheme against hashes made by independent tools: right password, wrong password,
identification, and the upgrade to argon2id on successful login."""

from __future__ import annotations

import pytest

from sentinel.passwords import LEGACY_SCHEMES, PasswordHasher, UnknownHashFormat, identify
from tests.passwords.conftest import PASSWORDS, WRONG
from tests.passwords.vectors import MAKERS, ONE_PER_SCHEME, Maker


@pytest.mark.parametrize("maker", MAKERS, ids=lambda m: m.id)
@pytest.mark.parametrize("password", PASSWORDS, ids=["ascii", "unicode", "one-char"])
def test_verifies_independent_vector(hasher: PasswordHasher, maker: Maker, password: str) -> None:
    stored = maker.make(password)

    info = identify(stored)
    assert (info.kind, info.scheme) == ("legacy", maker.scheme)
    assert hasher.verify(stored, password) is True
    assert hasher.needs_update(stored) is True


@pytest.mark.parametrize("maker", MAKERS, ids=lambda m: m.id)
def test_rejects_wrong_passwords(hasher: PasswordHasher, maker: Maker) -> None:
    password = PASSWORDS[1]
    stored = maker.make(password)

    for wrong in (
        WRONG,
        password + "x",
        password[:-1],
        password.upper(),
        "",
        password.encode().decode("latin-1"),
    ):
        if maker.scheme == "des-crypt" and wrong.encode()[:8] == password.encode()[:8]:
            continue  # crypt(3) DES reads 8 bytes: test_des_crypt_reads_eight_bytes_as_crypt_did
        assert hasher.verify(stored, wrong) is False, wrong
        assert hasher.verify_and_update(stored, wrong) == (False, None)


def test_des_crypt_reads_eight_bytes_as_crypt_did(hasher: PasswordHasher) -> None:
    """DES crypt only ever used 8 bytes: "longpassword" and "longpass-anything" were the same
    password to the system that made the hash, and must stay so until the user's next login. The
    upgrade then hashes the whole password typed, so the argon2 hash no longer accepts the prefix."""
    stored = ONE_PER_SCHEME["des-crypt"].make("longpassword")

    assert hasher.verify(stored, "longpass-anything") is True
    assert hasher.verify(stored, "longpas") is False
    ok, upgraded = hasher.verify_and_update(stored, "longpassword")
    assert ok is True and upgraded is not None
    assert hasher.verify(upgraded, "longpassword") is True
    assert hasher.verify(upgraded, "longpass-anything") is False


@pytest.mark.parametrize("maker", MAKERS, ids=lambda m: m.id)
def test_successful_login_upgrades_to_argon2id(hasher: PasswordHasher, maker: Maker) -> None:
    stored = maker.make(PASSWORDS[0])

    ok, new_hash = hasher.verify_and_update(stored, PASSWORDS[0])

    assert ok is True
    assert new_hash is not None and new_hash.startswith("$argon2id$")
    assert hasher.verify(new_hash, PASSWORDS[0]) is True
    assert hasher.needs_update(new_hash) is False
    assert hasher.verify_and_update(new_hash, PASSWORDS[0]) == (True, None)


def test_every_supported_scheme_has_an_independent_vector() -> None:
    """The list of schemes and the list of vectors cannot drift apart silently."""
    # hex and plaintext: test_hex_recipe.py and test_hasher.py; Flask-Bcrypt: test_frameworks.py
    declared_only = {"hex", "plaintext", "flask-bcrypt-sha256"}
    assert set(LEGACY_SCHEMES) - declared_only == set(ONE_PER_SCHEME)


def _next_char(ch: str) -> str:
    """A different character of the same class, so the encoded value really changes (hex is
    case-insensitive, so "a" -> "A" would be no change at all)."""
    for alphabet in ("0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "./+"):
        if ch in alphabet:
            return alphabet[(alphabet.index(ch) + 1) % len(alphabet)]
    return "A"


def test_tampered_checksum_never_verifies(hasher: PasswordHasher) -> None:
    """Change one checksum character of each scheme's hash: the right password must stop matching."""
    for maker in ONE_PER_SCHEME.values():
        stored = maker.make(PASSWORDS[0])
        for index in range(len(stored) - 12, len(stored) - 4):  # inside every scheme's checksum
            flipped = stored[:index] + _next_char(stored[index]) + stored[index + 1 :]
            try:
                result = hasher.verify(flipped, PASSWORDS[0])
            except UnknownHashFormat:  # the change broke the encoding itself: also refused
                continue
            assert result is False, (maker.id, index)
