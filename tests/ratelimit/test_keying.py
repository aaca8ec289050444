"""Account normalisation and keyed hashing: one budget per account, no names in the store."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinel.errors import ConfigurationError
from sentinel.keys import Secret
from sentinel.ratelimit import AuthLimiter, RedisLimiterStore, normalise_account
from sentinel.ratelimit.keying import KEY_HEX_CHARS, MAX_ACCOUNT_CHARS, Keyer
from tests.ratelimit.conftest import KEY


@pytest.mark.parametrize(
    "spelling",
    [
        "alice", "Alice", "ALICE", "  alice\t", "\uff41\uff4c\uff49\uff43\uff45", "alice\u3000",
        "\u00a0ALICE",
        # What a MariaDB utf8mb4_general_ci column or a PostgreSQL ICU level-1 collation calls alice.
        "\u00e0lice", "\u00e1lice", "al\u00efc\u00e9", "\u00c0L\u00cfC\u00c9", "a\u0300lice",
        "ali\u200bce", "a\u200dl\u00adice", "al ice",
    ],
)  # fmt: skip
def test_spellings_of_one_account_normalise_alike(spelling: str) -> None:
    assert normalise_account(spelling) == "alice"


def test_normalisation_details() -> None:
    assert normalise_account("Stra\u00dfe") == normalise_account("STRASSE")  # case-folding, not lower()
    assert normalise_account("\u212bngstr\u00f6m") == normalise_account("\u00c5NGSTR\u00d6M")  # NFKC
    assert normalise_account("\ufb01le") == "file"  # compatibility ligature
    assert normalise_account("\u0130stanbul") == "istanbul"  # case-folding's own combining dot goes too
    assert normalise_account("al\u0131ce") != "alice"  # dotless i is a letter of its own, not a mark
    assert normalise_account("x" * 10_000) == "x" * MAX_ACCOUNT_CHARS  # bounded work
    assert normalise_account("\u00df" * 200) == "s" * MAX_ACCOUNT_CHARS  # and bounded keys
    assert normalise_account("\u00df" * 200 + "x") == normalise_account(normalise_account("\u00df" * 200))


@given(name=st.text(max_size=300))
def test_normalisation_is_idempotent_and_total(name: str) -> None:
    once = normalise_account(name)
    assert normalise_account(once) == once


@given(name=st.text(alphabet=st.characters(max_codepoint=127), max_size=300))
def test_the_ascii_shortcut_folds_like_the_full_fold(name: str) -> None:
    from sentinel.ratelimit.keying import _bare

    assert normalise_account(name) == _bare(_bare(name[:MAX_ACCOUNT_CHARS]).casefold())[:MAX_ACCOUNT_CHARS]


def make(secret: str | bytes | Secret | None = KEY) -> Keyer:
    return Keyer(secret, ipv4_prefix=32, ipv6_prefix=64)


def test_keys_are_hmacs_not_plain_hashes() -> None:
    import hashlib

    keyer = make()
    key = keyer.account("alice")
    assert len(key) == KEY_HEX_CHARS and int(key, 16) >= 0
    assert key == keyer.account(" ALICE ")
    assert key not in hashlib.sha256(b"alice").hexdigest()  # a dictionary of plain hashes misses it
    assert make("another-secret-" + "z" * 40).account("alice") != key
    assert keyer.log_id("alice") not in key  # logs cannot be joined to store keys
    ip_key = keyer.ip("203.0.113.9/32")
    assert keyer.pair(key, ip_key) not in (key, ip_key)
    assert keyer.pair(key, ip_key) != keyer.pair(ip_key, key)


def test_ephemeral_keys_differ_per_instance_and_never_print() -> None:
    a, b = make(None), make(None)
    assert a.ephemeral and a.account("alice") != b.account("alice")
    assert KEY not in repr(make()) and "Secret" not in repr(make())


def test_short_or_missing_keys_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="32"):
        make("short")
    store = RedisLimiterStore("redis://127.0.0.1:1/0")
    with pytest.raises(ConfigurationError, match="same 32\\+ byte secret on every process"):
        AuthLimiter(store=store)
