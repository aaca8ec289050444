"""Bare hex digests under a declared HexRecipe; vectors computed directly with hashlib."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel.errors import ConfigurationError
from sentinel.passwords import AmbiguousHash, HexRecipe, MissingSalt, PasswordHasher, identify
from tests.passwords.conftest import PASSWORDS, WRONG, HasherFactory


def hexdigest(name: str, data: bytes) -> str:
    return hashlib.new(name, data).hexdigest()


PW = PASSWORDS[1]
PWB = PW.encode()

#: (formula, layout, stored value built with hashlib, column salt or None)
CASES = [
    ("md5(password)", "{digest}", hexdigest("md5", PWB), None),
    ("sha1(password)", "{digest}", hexdigest("sha1", PWB), None),
    ("sha256(password)", "{digest}", hexdigest("sha256", PWB).upper(), None),
    ("sha512(password)", "{digest}", hexdigest("sha512", PWB), None),
    ("sha1(salt+password)", "{digest}", hexdigest("sha1", b"s4lt" + PWB), "s4lt"),
    ("sha256(password+salt)", "{digest}:{salt}", hexdigest("sha256", PWB + b"NaCl") + ":NaCl", None),
    (
        "md5(md5(password)+salt)",
        "{salt}${digest}",
        "x$y$" + hexdigest("md5", hexdigest("md5", PWB).encode() + b"x$y"),
        None,
    ),
    ("sha1(salt+password)", "{salt}{digest}", "abcdef" + hexdigest("sha1", b"abcdef" + PWB), None),
    ("md5(password+salt)", "{digest}{salt}", hexdigest("md5", PWB + "sält".encode()) + "sält", None),
    (
        "sha1(salt+sha1(password)+salt)",
        "{digest}",
        hexdigest("sha1", b"S" + hexdigest("sha1", PWB).encode() + b"S"),
        "S",
    ),
]


@pytest.mark.parametrize(
    ("formula", "layout", "stored", "salt"), CASES, ids=[c[0] + " " + c[1] for c in CASES]
)
def test_declared_recipe_verifies_and_rejects(
    make_hasher: HasherFactory, formula: str, layout: str, stored: str, salt: str | None
) -> None:
    recipe = HexRecipe(formula=formula, layout=layout)
    hasher = make_hasher(hex_recipe=recipe)

    assert hasher.identify(stored).scheme == "hex"
    assert hasher.verify(stored, PW, salt=salt) is True
    assert hasher.verify(stored, WRONG, salt=salt) is False
    ok, new_hash = hasher.verify_and_update(stored, PW, salt=salt)
    assert ok is True and new_hash is not None and new_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("formula", "layout", "stored", "salt"), CASES, ids=[c[0] + " " + c[1] for c in CASES]
)
def test_wrapped_hex_needs_neither_recipe_nor_salt_column(
    make_hasher: HasherFactory, formula: str, layout: str, stored: str, salt: str | None
) -> None:
    wrapper = make_hasher(hex_recipe=HexRecipe(formula=formula, layout=layout))
    wrapped = wrapper.wrap(stored, salt=salt)
    plain = make_hasher()  # no recipe declared: the wrap carries formula and salt

    assert identify(wrapped).kind == "wrapped"
    assert plain.verify(wrapped, PW) is True
    assert plain.verify(wrapped, WRONG) is False


def test_column_salt_is_required_and_must_be_right(make_hasher: HasherFactory) -> None:
    hasher = make_hasher(hex_recipe=HexRecipe(formula="sha1(salt+password)"))
    stored = hexdigest("sha1", b"pepperoni" + PWB)

    with pytest.raises(MissingSalt):
        hasher.verify(stored, PW)
    assert hasher.verify(stored, PW, salt="pepperoni") is True
    assert hasher.verify(stored, PW, salt=b"pepperoni") is True
    assert hasher.verify(stored, PW, salt="pepperonx") is False


def test_bare_hex_without_recipe_is_ambiguous_never_guessed(hasher: PasswordHasher) -> None:
    """Guessing md5 vs sha1 vs salted would silently multiply an attacker's chances."""
    for stored in (hexdigest("md5", PWB), hexdigest("sha1", PWB), "salt:" + hexdigest("md5", PWB)):
        with pytest.raises(AmbiguousHash, match="declare a HexRecipe"):
            hasher.verify(stored, PW)
        with pytest.raises(AmbiguousHash):
            identify(stored)


def test_hex_of_the_wrong_length_for_the_recipe_is_refused(make_hasher: HasherFactory) -> None:
    hasher = make_hasher(hex_recipe=HexRecipe(formula="sha1(password)"))

    with pytest.raises(AmbiguousHash, match="does not fit the declared HexRecipe"):
        hasher.verify(hexdigest("md5", PWB), PW)


def test_self_describing_schemes_still_win_over_a_recipe(make_hasher: HasherFactory) -> None:
    hasher = make_hasher(hex_recipe=HexRecipe(formula="md5(salt+password)", layout="{salt}${digest}"))
    django = "md5$abc$" + hexdigest("md5", b"abc" + PWB)

    assert hasher.identify(django).scheme == "django-salted-md5"
    assert hasher.verify(django, PW) is True


@pytest.mark.parametrize(
    "formula",
    [
        "",
        "md5(",
        "md5(password",
        "md5 password",
        "rot13(password)",
        "md5(salt)",
        "md5(password)+salt",
        "md5(password,salt)",
        "md5('site-secret'+password)",
        "__import__('os').system('true')",
        "md5(md5(md5(md5(password))))",
        "md5(" + "+".join(["password"] * 9) + ")",
        "md5(" + "password+" * 40 + "password)",
    ],
)
def test_bad_formulas_are_configuration_errors(formula: str) -> None:
    with pytest.raises(ConfigurationError):
        HexRecipe(formula=formula)


@pytest.mark.parametrize(
    ("formula", "layout"),
    [
        ("md5(password)", "{salt}:{digest}"),  # layout has a salt the formula never uses
        ("md5(salt+password)", "{salt}a{digest}"),  # hex digit as separator: ambiguous split
        ("md5(salt+password)", "{digest}:{salt}:{salt}"),
        ("md5(salt+password)", "prefix{digest}"),
        ("md5(salt+password)", "{salt}:::::{digest}"),
    ],
)
def test_bad_layouts_are_configuration_errors(formula: str, layout: str) -> None:
    with pytest.raises(ConfigurationError):
        HexRecipe(formula=formula, layout=layout)


def test_canonical_formula_ignores_whitespace() -> None:
    recipe = HexRecipe(formula=" sha1 ( salt + md5( password ) ) ", layout="{digest}")
    assert recipe.canonical == "sha1(salt+md5(password))"
    assert recipe.salt_source == "column"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=150))
def test_formula_parser_never_crashes(text: str) -> None:
    """Hostile formulas (also read back from wrapped rows) give a clean ConfigurationError or a recipe."""
    try:
        recipe = HexRecipe(formula=text)
    except ConfigurationError:
        return
    assert recipe.call.uses("password")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["password", "salt"]), min_size=1, max_size=6),
    st.sampled_from(["md5", "sha256"]),
)
def test_generated_formulas_match_hashlib(terms: list[str], name: str) -> None:
    if "password" not in terms:
        terms = [*terms, "password"]
    recipe = HexRecipe(formula=f"{name}({'+'.join(terms)})")
    data = b"".join(PWB if t == "password" else b"SALT" for t in terms)
    assert recipe.call.digest(PWB, b"SALT") == hashlib.new(name, data).digest()
