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
    OWASP,
    RFC_9106_LOW_MEMORY,
    Argon2Profile,
    HexRecipe,
    NotWrappable,
    PasswordHasher,
    Pepper,
    UnknownHashFormat,
    UnknownPepperKey,
    WrappedHashTooLong,
    identify,
)
from tests.passwords.conftest import PASSWORDS, PEPPER_A, PEPPER_B, WRONG, HasherFactory, as_v1
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
def test_version_1_wraps_keep_verifying(hasher: PasswordHasher, maker: Maker) -> None:
    """Rows wrapped before compact wraps existed ($sentinel-wrap$v=1$) verify and upgrade as before."""
    compact = hasher.wrap(maker.make(PW))
    old = as_v1(compact)
    assert old.startswith("$sentinel-wrap$v=1$") and len(old) > len(compact)

    assert identify(old) == identify(compact)
    assert hasher.verify(old, PW) is True
    assert hasher.verify(old, WRONG) is False
    ok, direct = hasher.verify_and_update(old, PW)
    assert ok is True and direct is not None and direct.startswith("$argon2id$")


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
    compact = hasher.wrap(legacy)
    salt = compact.split("$")[3]
    assert hasher.verify(compact.replace("$sw2$m1$", "$sw2$apr$"), PW) is False
    assert hasher.verify(compact.replace(f"${salt}$", "$zzzzzzzz$"), PW) is False
    wrapped = as_v1(compact)
    assert hasher.verify(wrapped, PW) is True
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
    wrapped = as_v1(hasher.wrap(ONE_PER_SCHEME["md5-crypt"].make(PW)))
    bad = mutation(wrapped)  # type: ignore[operator]

    with pytest.raises(UnknownHashFormat):
        hasher.verify(bad, PW)


def _compact_parts(hasher: PasswordHasher) -> list[str]:
    """``["", "sw2", "s6", rounds, salt, kid, "m.t.p", packed]`` of a sha512-crypt compact wrap."""
    return hasher.wrap(ONE_PER_SCHEME["sha512-crypt"].make(PW)).split("$")


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (2, "S6"),  # scheme codes are case-sensitive
        (2, "zz"),  # unknown code
        (3, "0999"),  # non-canonical number
        (3, "1.2"),  # sha-crypt takes one cost
        (3, "999999999"),  # over the bound: minutes of CPU
        (4, "~" + base64.urlsafe_b64encode(b"abcdefgh").decode().rstrip("=")),  # text salt spelled as bytes
        (4, "a" * 17),  # sha-crypt salts are at most 16 characters
        (5, "0000000"),  # key id of the wrong length
        (5, "ABCDEF01"),  # key ids are lowercase hex
        (6, "65536.3"),  # argon2 needs m.t.p
        (6, "065536.3.4"),
        (7, "A" * 26),  # argon2 salt + tag too short
    ],
)
def test_malformed_compact_wraps_are_unknown_formats(hasher: PasswordHasher, index: int, value: str) -> None:
    parts = _compact_parts(hasher)
    parts[index] = value

    with pytest.raises(UnknownHashFormat):
        hasher.verify("$".join(parts), PW)


@pytest.mark.parametrize(
    "mutation",
    [
        lambda w: w + "$",
        lambda w: w.replace("$sw2$s6$", "$sw2$s6$$"),
        lambda w: w[: w.rindex("$")],
        lambda w: w[:-1] + ("B" if w[-1] != "B" else "C"),  # non-canonical trailing bits or tag change
        lambda w: w.replace("$sw2$", "$sw3$"),
    ],
    ids=["extra-field", "shifted", "no-argon2", "last-char", "version"],
)
def test_compact_wraps_parse_strictly(hasher: PasswordHasher, mutation: object) -> None:
    wrapped = hasher.wrap(ONE_PER_SCHEME["sha512-crypt"].make(PW))
    bad = mutation(wrapped)  # type: ignore[operator]

    try:
        result = hasher.verify(bad, PW)
    except UnknownHashFormat:
        return
    assert result is False  # a changed tag parses (it is canonical) but no longer verifies


def test_wrapped_params_are_bounded_like_stored_ones(hasher: PasswordHasher) -> None:
    """A row claiming a billion sha-crypt rounds is refused, not run for minutes."""
    legacy = ONE_PER_SCHEME["sha512-crypt"].make(PW)
    wrapped = as_v1(hasher.wrap(legacy))
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
    "django-scrypt": "scrypt$1048576$" + "S" * 64 + "$8$1$" + _b64(64),
    "des-crypt": "crypt$$" + _crypt64(13),
    "passlib-bcrypt-sha256": "$bcrypt-sha256$2b,18$" + _crypt64(22) + "$" + _crypt64(31),
    "passlib-bcrypt-sha256-v2": "$bcrypt-sha256$v=2,t=2b,r=18$" + _crypt64(21) + "u$" + _crypt64(31),
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


def _django_salt() -> str:
    """Django's salts: 22 characters of [A-Za-z0-9] (128 bits) since Django 3.2, 12 before."""
    return "".join(string.ascii_letters[b % 52] for b in os.urandom(22))


#: The longest value each scheme has *as the frameworks and tools that use it write it*: Django's
#: 22-character salts, Werkzeug's 16, crypt(3)'s 16, LDAP salts of up to 16 bytes, and every cost at
#: the highest value Sentinel accepts at all (iterations 10,000,000, rounds 10,000,000, bcrypt 18,
#: scrypt n 2^20). Only bare hex is left out: its recipe and salt are whatever the legacy app chose.
FRAMEWORK_LONGEST = {
    **{
        k: v
        for k, v in LONGEST.items()
        if k not in ("hex",) and not k.startswith(("django-", "ldap-salted-"))
    },
    "django-bcrypt": "bcrypt$$2b$18$" + _crypt64(53),
    "django-bcrypt-sha256": "bcrypt_sha256$$2b$18$" + _crypt64(53),
    "django-pbkdf2-sha256": "pbkdf2_sha256$10000000$" + _django_salt() + "$" + _b64(32),
    "django-pbkdf2-sha1": "pbkdf2_sha1$10000000$" + _django_salt() + "$" + _b64(20),
    "django-salted-md5": "md5$" + _django_salt() + "$" + "ab" * 16,
    "django-salted-sha1": "sha1$" + _django_salt() + "$" + "ab" * 20,
    "django-scrypt": "scrypt$1048576$" + _django_salt() + "$8$1$" + _b64(64),
    "ldap-salted-md5": "{SMD5}" + _b64(16 + 16),
    "ldap-salted-sha1": "{SSHA}" + _b64(20 + 16),
    "ldap-salted-sha256": "{SSHA256}" + _b64(32 + 16),
    "ldap-salted-sha512": "{SSHA512}" + _b64(64 + 16),
    "werkzeug-pbkdf2": "pbkdf2:sha512:10000000$" + "s" * 16 + "$" + "ab" * 64,
    "werkzeug-scrypt": "scrypt:1048576:8:1$" + "s" * 16 + "$" + "ab" * 64,
    "flask-bcrypt-sha256": "$2b$18$" + _crypt64(53),
}


@pytest.mark.parametrize("profile", [OWASP, RFC_9106_LOW_MEMORY], ids=lambda p: p.name)
def test_every_framework_scheme_fits_django_varchar_128_with_pepper(profile: Argon2Profile) -> None:
    """Django's auth_user.password is VARCHAR(128): every scheme a framework writes must wrap into it
    at its largest parameters, with a pepper key id on top, at every shipped profile."""
    assert DEFAULT_PROFILE in (OWASP, RFC_9106_LOW_MEMORY)
    assert set(FRAMEWORK_LONGEST) == {*ONE_PER_SCHEME, "flask-bcrypt-sha256"}
    hasher = PasswordHasher(profile=profile, pepper=Pepper([PEPPER_A]))
    flask = PasswordHasher(profile=profile, pepper=Pepper([PEPPER_A]), flask_bcrypt_long_passwords=True)

    wrapped = {
        scheme: (flask if scheme == "flask-bcrypt-sha256" else hasher).wrap(stored)
        for scheme, stored in FRAMEWORK_LONGEST.items()
    }

    lengths = {scheme: len(value) for scheme, value in wrapped.items()}
    assert max(lengths.values()) <= 128, {k: n for k, n in lengths.items() if n > 128}
    assert all(value.startswith("$sw2$") for value in wrapped.values())
    assert all(identify(value).scheme == scheme for scheme, value in wrapped.items())


def test_too_long_wrap_is_refused_not_truncated(make_hasher: HasherFactory) -> None:
    recipe = HexRecipe(formula="sha1(salt+sha1(password)+salt)", layout="{salt}:{digest}")
    hasher = make_hasher(hex_recipe=recipe)
    stored = "é" * 64 + ":" + "ab" * 20  # 128 bytes of salt, base64 in the wrap, and a long formula

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
    recipe_hasher_value = as_v1(hasher.wrap(ONE_PER_SCHEME["mysql41"].make(PW)))
    inner = recipe_hasher_value[recipe_hasher_value.index("$argon2id$") :]
    for formula in ("md5(salt)", "md5(md5(md5(md5(password))))", "nosuch(password)"):
        with pytest.raises(UnknownHashFormat):
            hasher.verify(f"$sentinel-wrap$v=1$hex$f={formula}{inner}", PW)
