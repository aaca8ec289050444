"""bcrypt and passwords over 72 bytes: verify as the original C systems did, never crash, and never
truncate anything new."""

from __future__ import annotations

import bcrypt
import pytest

from sentinel.passwords import PasswordHasher
from tests.passwords.vectors import libc_crypt

LONG = "Ünïcode passphrase that keeps going and going well past the bcrypt key limit!!"  # > 72 bytes


def c_library_hash(password: str) -> str:
    """A bcrypt hash made by libxcrypt (C), which, like OpenBSD and PHP, reads only 72 key bytes."""
    salt = bcrypt.gensalt(4).decode()[7:]
    result: str = libc_crypt().crypt(password, f"$2b$04${salt}")
    return result


def test_bcrypt_5_itself_refuses_long_keys() -> None:
    """The library raises on >72 bytes, so calling it naively would crash logins (500s)."""
    with pytest.raises(ValueError, match="72 bytes"):
        bcrypt.hashpw(LONG.encode(), bcrypt.gensalt(4))


def test_long_password_verifies_against_c_made_hash(hasher: PasswordHasher) -> None:
    assert len(LONG.encode()) > 72
    stored = c_library_hash(LONG)

    assert hasher.verify(stored, LONG) is True


def test_only_the_first_72_bytes_count_for_legacy_bcrypt(hasher: PasswordHasher) -> None:
    """That is what the system that made the hash did; the same prefix matches, another does not."""
    long_ascii = "p" * 60 + "0123456789abcdefghij"  # 80 bytes
    stored = c_library_hash(long_ascii)

    assert hasher.verify(stored, long_ascii[:72]) is True
    assert hasher.verify(stored, long_ascii[:72] + "another tail") is True
    assert hasher.verify(stored, long_ascii[:71]) is False
    assert hasher.verify(stored, "q" + long_ascii[1:]) is False


def test_upgrade_hashes_the_whole_long_password(hasher: PasswordHasher) -> None:
    """After the upgrade the 72-byte prefix alone no longer logs in: new hashes never truncate."""
    stored = c_library_hash(LONG)

    ok, new_hash = hasher.verify_and_update(stored, LONG)

    assert ok is True and new_hash is not None
    assert hasher.verify(new_hash, LONG) is True
    assert hasher.verify(new_hash, LONG + " different tail") is False


def test_wrapped_bcrypt_keeps_the_same_72_byte_semantics(hasher: PasswordHasher) -> None:
    stored = c_library_hash(LONG)
    wrapped = hasher.wrap(stored)

    assert hasher.verify(wrapped, LONG) is True
    assert hasher.verify(wrapped, "X" + LONG[1:]) is False


def test_nul_byte_ends_the_key_as_in_c(hasher: PasswordHasher) -> None:
    """C bcrypt stops at NUL: "abc\\0xyz" was hashed as "abc" by the systems that made these."""
    stored = c_library_hash("abcdefgh")

    assert hasher.verify(stored, "abcdefgh\x00anything") is True
    assert hasher.verify(stored, "abcdefg\x00h") is False


def test_new_hashes_distinguish_beyond_72_bytes(hasher: PasswordHasher) -> None:
    stored = hasher.hash("a" * 100)

    assert hasher.verify(stored, "a" * 100) is True
    assert hasher.verify(stored, "a" * 72) is False
    assert hasher.verify(stored, "a" * 99 + "b") is False
