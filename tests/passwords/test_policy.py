"""The NIST SP 800-63B-4 password policy helper."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel.errors import ConfigurationError
from sentinel.passwords import (
    DEFAULT_POLICY,
    MAX_PASSWORD_BYTES,
    SINGLE_FACTOR_POLICY,
    PasswordPolicy,
    Violation,
)
from sentinel.passwords.policy import bundled_blocklist


def test_a_good_password_passes() -> None:
    result = DEFAULT_POLICY.check("mauve giraffe sings opera")
    assert result.ok and result.problems == () and result.length == 25


def test_no_composition_rules() -> None:
    """All lower-case, no digit, no symbol: fine, because length and the blocklist do the work."""
    assert DEFAULT_POLICY.check("correcthorsebatterystaple").ok


@pytest.mark.parametrize(
    ("policy", "password", "ok"),
    [
        (DEFAULT_POLICY, "kq8#zv!", False),
        (DEFAULT_POLICY, "kq8#zv!w", True),
        (SINGLE_FACTOR_POLICY, "kq8#zv!wmu2*pl", False),
        (SINGLE_FACTOR_POLICY, "kq8#zv!wmu2*plx", True),
    ],
)
def test_minimum_lengths(policy: PasswordPolicy, password: str, ok: bool) -> None:
    result = policy.check(password)
    assert result.ok is ok
    assert (Violation.TOO_SHORT in result.codes) is (not ok)


def test_length_counts_code_points_after_nfkc() -> None:
    """Eight accented letters typed with combining accents are eight characters, not sixteen."""
    decomposed = unicodedata.normalize("NFD", "éàüöñçøå")
    assert len(decomposed) == 15
    assert DEFAULT_POLICY.check(decomposed).length == 8
    fullwidth = "\uff21\uff22\uff23"  # full-width letters fold to "ABC": three characters
    assert DEFAULT_POLICY.check(fullwidth).length == 3


def test_long_passwords_are_allowed_up_to_the_cap_and_never_truncated() -> None:
    policy = PasswordPolicy(max_length=1024)
    assert policy.check("word " * 200).ok  # 1000 characters
    result = policy.check("w" * 1025)
    assert Violation.TOO_LONG in result.codes and result.length == 1025


def test_the_byte_cap_applies_to_many_byte_characters() -> None:
    policy = PasswordPolicy(max_length=MAX_PASSWORD_BYTES)
    emoji = "\U0001f600" * 1025  # 1025 characters, 4100 bytes
    assert Violation.TOO_LONG in policy.check(emoji).codes


def test_huge_input_is_refused_without_normalising_it() -> None:
    result = DEFAULT_POLICY.check("x" * 5_000_000)
    assert result.codes == {Violation.TOO_LONG}


@pytest.mark.parametrize(
    "password", ["password", "PASSWORD", "Password", "iloveyou", "qwertyuiop", "trustno1"]
)
def test_common_passwords_are_blocklisted_in_any_case(password: str) -> None:
    assert Violation.BLOCKLISTED in DEFAULT_POLICY.check(password).codes


def test_fullwidth_variant_of_a_common_password_is_blocklisted() -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in "password")  # NFKC folds it to "password"
    assert Violation.BLOCKLISTED in DEFAULT_POLICY.check(fullwidth).codes


def test_blocklist_is_modest_lowercase_and_documents_its_provenance() -> None:
    from importlib import resources

    words = bundled_blocklist()
    header = resources.files("sentinel.passwords").joinpath("data/blocklist.txt").read_text("utf-8")[:2000]
    assert 1000 <= len(words) <= 5000
    assert all(w == w.casefold() and len(w) >= 8 for w in words)
    assert "zxcvbn" in header and "MIT License" in header


def test_extra_blocklist_and_opt_out() -> None:
    policy = PasswordPolicy(extra_blocklist=frozenset({"Acme-Corp-2024"}))
    assert Violation.BLOCKLISTED in policy.check("acme-corp-2024").codes
    assert PasswordPolicy(use_bundled_blocklist=False).check("password1").ok


def test_context_words_are_refused() -> None:
    result = DEFAULT_POLICY.check("alice.smith-rocks", context=["alice.smith@example.com", "Sentinel Shop"])
    assert Violation.CONTEXT_WORD in result.codes
    assert Violation.CONTEXT_WORD in DEFAULT_POLICY.check("mysentinelpw", context=["Sentinel"]).codes
    assert DEFAULT_POLICY.check("mauve giraffe sings", context=["al", "example.com"]).ok


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaa", "23456789", "abcdefghij", "zyxwvutsrq", "98765432", "ßßßßßßßßß"]
)
def test_repetitive_and_sequential_are_refused(password: str) -> None:
    assert Violation.REPETITIVE in DEFAULT_POLICY.check(password).codes


def test_every_problem_is_reported_at_once() -> None:
    result = DEFAULT_POLICY.check("aaaa", context=["aaaa"])
    assert result.codes == {Violation.TOO_SHORT, Violation.CONTEXT_WORD, Violation.REPETITIVE}
    assert all(p.message for p in result.problems)
    assert "aaaa" not in repr(result)


def test_invalid_unicode_is_a_problem_not_a_crash() -> None:
    assert Violation.INVALID_UNICODE in DEFAULT_POLICY.check("abcdefgh\udc80").codes


@pytest.mark.parametrize(
    "kwargs",
    [{"min_length": 6}, {"max_length": 32}, {"min_length": 100, "max_length": 80}, {"max_length": 5000}],
)
def test_policies_weaker_than_nist_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        PasswordPolicy(**kwargs)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_check_never_crashes_and_counts_nfkc_length(password: str) -> None:
    result = DEFAULT_POLICY.check(password)
    assert result.length == len(unicodedata.normalize("NFKC", password))
    assert result.ok == (not result.problems)
