"""Wrapped legacy hashes: round trip for every scheme, column fit, no leak of the legacy digest,
tamper resistance, and strict parsing of the envelope."""

from __future__ import annotations

import base64
import os
import string
from typing import TypeVar

import pytest

from sentinel.passwords import (
    DEFAULT_PROFILE,
    HexRecipe,
    NotWrappable,
    PasswordHasher,
    Pepper,
    UnknownHashFormat,
    UnknownPepperKey,
    WrappedHashTooLong,
    identify,
)
from tests.passwords.conftest import PASSWORDS, PEPPER_A, PEPPER_B, WRONG, HasherFactory
from tests.passwords.vectors import ONE_PER_SCHEME, Maker

PW = PASSWORDS[1]
T = TypeVar("T")


@pytest.mark.parametrize("maker", ONE_PER_SCHEME.values(), ids=lambda m: m.scheme)
def test_wrap_round_trip(hasher: PasswordHasher, maker: Maker) -> None:
    legacy = maker.make(PW)

    wrapped = hasher.wrap(legacy)  # no password needed

    info = identify(wrapped)
    assert (info.kind, info.scheme) == ("wrapped", maker.scheme)
    assert hasher.verify(wrapped, PW) is True
    assert hasher.verify(wrapped, WRONG) is False
    assert hasher.needs_update(wrapped) is True
    ok, direct = hasher.verify_and_update(wrapped, PW)
    assert ok is True and direct is not None and identify(direct).kind == "argon2"
    assert hasher.verify(direct, PW) is True
    assert hasher.wrap(legacy) != wrapped  # a fresh argon2 salt every time


@pytest.mark.parametrize("maker", ONE_PER_SCHEME.values(), ids=lambda m: m.scheme)
def test_wrap_hides_the_legacy_digest(hasher: PasswordHasher, maker: Maker) -> None:
    """A wrap that kept the legacy checksum readable would leave it as crackable as before."""
    legacy = maker.make(PW)
    wrapped = hasher.wrap(legacy)
    tail = legacy[-16:]  # inside the checksum for every scheme

    assert legacy not in wrapped
    assert tail not in wrapped
    assert tail.lower() not in wrapped.lower()


def test_wrapped_hash_is_refused_for_a_wrong_scheme_or_salt(hasher: PasswordHasher) -> None:
    """Editing the clear-text part must not create a second password that works."""
    legacy = ONE_PER_SCHEME["md5-crypt"].make(PW)
    wrapped = hasher.wrap(legacy)
    other_scheme = wrapped.replace("$md5-crypt$", "$apr-md5-crypt$")
    salt_field = wrapped.split("$")[4]
    other_salt = wrapped.replace(salt_field, "t=zzzzzzzz")

    assert hasher.verify(other_scheme, PW) is False
    assert hasher.verify(other_salt, PW) is False


@pytest.mark.parametrize(
    "mutation",
    [
        lambda w: w.replace("v=1", "v=2"),
        lambda w: w.replace("$md5-crypt$", "$no-such-scheme$"),
        lambda w: w.replace("$md5-crypt$", "$MD5-crypt$"),
        lambda w: w.replace("$t=", "$t==", 1),
        lambda w: w.replace("$t=", "$x=1,t=", 1),
        lambda w: w.replace("$t=", "$t=A,t=", 1),
        lambda w: w.replace("$t=", "$s=QUJD,t=", 1),
        lambda w: w.replace("$t=", "$h=sha1,t=", 1),
        lambda w: w.replace("$t=", "$c=5000,t=", 1),
        lambda w: w.replace("$t=", "$s=" + base64.urlsafe_b64encode(b"abcdefgh").decode() + ",t=", 1),
        lambda w: w + "$",
        lambda w: w.replace("$argon2id$", "$argon2id$$"),
        lambda w: w[: w.index("$argon2id$")],
    ],
    ids=[
        "version",
        "scheme",
        "scheme-case",
        "salt-padding",
        "unknown-key",
        "duplicate-key",
        "two-salts",
        "unused-hash-name",
        "unused-cost",
        "non-canonical-salt",
        "trailer",
        "argon2",
        "no-argon2",
    ],
)
def test_malformed_envelopes_are_unknown_formats(hasher: PasswordHasher, mutation: object) -> None:
    wrapped = hasher.wrap(ONE_PER_SCHEME["md5-crypt"].make(PW))
    bad = mutation(wrapped)  # type: ignore[operator]

    with pytest.raises(UnknownHashFormat):
        hasher.verify(bad, PW)


def test_wrapped_params_are_bounded_like_stored_ones(hasher: PasswordHasher) -> None:
    """A row claiming a billion sha-crypt rounds is refused, not run for minutes."""
    legacy = ONE_PER_SCHEME["sha512-crypt"].make(PW)
    wrapped = hasher.wrap(legacy)
    inner = wrapped[wrapped.index("$argon2id$") :]
    huge = f"$sentinel-wrap$v=1$sha512-crypt$c=999999999,t=abc{inner}"

    with pytest.raises(UnknownHashFormat, match="rounds"):
        hasher.verify(huge, PW)


def test_argon2_and_wrapped_values_are_not_wrappable(hasher: PasswordHasher) -> None:
    wrapped = hasher.wrap(ONE_PER_SCHEME["bcrypt"].make(PW))

    with pytest.raises(NotWrappable):
        hasher.wrap(wrapped)
    with pytest.raises(NotWrappable):
        hasher.wrap(hasher.hash(PW))


def test_wrapping_a_declared_plaintext_gives_a_direct_argon2_hash(make_hasher: HasherFactory) -> None:
    hasher = make_hasher(plaintext_column=True)

    upgraded = hasher.wrap(PW)

    assert identify(upgraded).kind == "argon2"
    assert PW not in upgraded
    assert hasher.verify(upgraded, PW) is True


def test_peppered_wrap_records_the_key_and_needs_it(make_hasher: HasherFactory) -> None:
    peppered = make_hasher(pepper=Pepper([PEPPER_A]))
    legacy = ONE_PER_SCHEME["phpass"].make(PW)

    wrapped = peppered.wrap(legacy)

    assert identify(wrapped).pepper_kid == peppered.pepper.current_kid  # type: ignore[union-attr]
    assert peppered.verify(wrapped, PW) is True
    with pytest.raises(UnknownPepperKey):
        make_hasher().verify(wrapped, PW)  # a stolen database without the pepper is no use
    with pytest.raises(UnknownPepperKey):
        make_hasher(pepper=Pepper([PEPPER_B])).verify(wrapped, PW)


def _crypt64(n: int) -> str:
    alphabet = "./" + string.digits + string.ascii_uppercase + string.ascii_lowercase
    return "".join(alphabet[b % 64] for b in os.urandom(n))


def _b64(n: int) -> str:
    return base64.b64encode(os.urandom(n)).decode()


#: The longest value each scheme's parser accepts (or, for bare hex, a generous real-world maximum).
#: Wrapping never recomputes the legacy checksum, so these need not verify: only their size matters.
LONGEST = {
    "bcrypt": "$2b$18$" + _crypt64(53),
    "django-bcrypt": "bcrypt$$2y$18$" + _crypt64(53),
    "django-bcrypt-sha256": "bcrypt_sha256$$2b$18$" + _crypt64(53),
    "django-pbkdf2-sha256": "pbkdf2_sha256$10000000$" + "S" * 64 + "$" + _b64(32),
    "django-pbkdf2-sha1": "pbkdf2_sha1$10000000$" + "S" * 64 + "$" + _b64(20),
    "django-salted-md5": "md5$" + "S" * 64 + "$" + "ab" * 16,
    "django-salted-sha1": "sha1$" + "S" * 64 + "$" + "ab" * 20,
    "phpass": "$P$J" + _crypt64(30),
    "md5-crypt": "$1$" + _crypt64(8) + "$" + _crypt64(22),
    "apr-md5-crypt": "$apr1$" + _crypt64(8) + "$" + _crypt64(22),
    "sha256-crypt": "$5$rounds=10000000$" + _crypt64(16) + "$" + _crypt64(43),
    "sha512-crypt": "$6$rounds=10000000$" + _crypt64(16) + "$" + _crypt64(86),
    "ldap-md5": "{MD5}" + _b64(16),
    "ldap-salted-md5": "{SMD5}" + _b64(16 + 64),
    "ldap-sha1": "{SHA}" + _b64(20),
    "ldap-salted-sha1": "{SSHA}" + _b64(20 + 64),
    "ldap-sha256": "{SHA256}" + _b64(32),
    "ldap-salted-sha256": "{SSHA256}" + _b64(32 + 64),
    "ldap-sha512": "{SHA512}" + _b64(64),
    "ldap-salted-sha512": "{SSHA512}" + _b64(64 + 64),
    "mysql41": "*" + "AB" * 20,
    "werkzeug-pbkdf2": "pbkdf2:sha512:10000000$" + "s" * 64 + "$" + "ab" * 64,
    "werkzeug-scrypt": "scrypt:1048576:8:1$" + "s" * 64 + "$" + "ab" * 64,
    "hex": "S" * 64 + "$" + "ab" * 64,  # 64-character salt: Joomla and vBulletin use 32 or less
}


def test_every_scheme_fits_varchar_255_at_the_default_profile_with_pepper() -> None:
    """The real default profile (its numbers set the encoded length) and a pepper key id on top."""
    recipe = HexRecipe(formula="sha512(salt+sha512(password)+salt)", layout="{salt}${digest}")
    hasher = PasswordHasher(profile=DEFAULT_PROFILE, pepper=Pepper([PEPPER_A]), hex_recipe=recipe)
    assert set(LONGEST) == {*ONE_PER_SCHEME, "hex"}

    wrapped = {scheme: hasher.wrap(stored) for scheme, stored in LONGEST.items()}

    lengths = {scheme: len(value) for scheme, value in wrapped.items()}
    assert all(length <= 255 for length in lengths.values()), lengths
    assert all(identify(value).scheme == scheme for scheme, value in wrapped.items())
    assert len(hasher.hash("x" * 4096)) <= 255


def test_too_long_wrap_is_refused_not_truncated(make_hasher: HasherFactory) -> None:
    recipe = HexRecipe(formula="sha1(salt+password)", layout="{salt}:{digest}")
    hasher = make_hasher(hex_recipe=recipe)
    stored = "é" * 64 + ":" + "ab" * 20  # 128 bytes of salt, base64 in the wrap

    with pytest.raises(WrappedHashTooLong) as caught:
        hasher.wrap(stored)
    assert caught.value.length > caught.value.limit == 255
    assert hasher.verify(stored, PW) is False  # still usable as a legacy hash


def test_configuration_values_pickle_for_worker_processes() -> None:
    """The migration command sends these to a process pool; each worker builds its own hasher."""
    import pickle

    def round_trip(value: T) -> T:
        copy: T = pickle.loads(pickle.dumps(value))  # noqa: S301 - our own bytes, made one line above
        return copy

    recipe = HexRecipe(formula="sha1(salt+password)", layout="{salt}:{digest}")
    copy = round_trip(recipe)
    assert copy == recipe and copy.call == recipe.call
    assert round_trip(DEFAULT_PROFILE) == DEFAULT_PROFILE


def test_wrapped_hex_formula_is_parsed_and_bounded_again(hasher: PasswordHasher) -> None:
    """The formula travels in the row: a hostile or corrupted one is refused, never evaluated."""
    recipe_hasher_value = hasher.wrap(ONE_PER_SCHEME["mysql41"].make(PW))
    inner = recipe_hasher_value[recipe_hasher_value.index("$argon2id$") :]
    for formula in ("md5(salt)", "md5(md5(md5(md5(password))))", "nosuch(password)"):
        with pytest.raises(UnknownHashFormat):
            hasher.verify(f"$sentinel-wrap$v=1$hex$f={formula}{inner}", PW)
