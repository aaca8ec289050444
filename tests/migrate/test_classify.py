"""Row classification, and the exact wrapped-length prediction the dry run's column check relies on."""

from __future__ import annotations

import hashlib
import warnings

import pytest

from sentinel.errors import SentinelUnsafeWarning
from sentinel.migrate import Classifier, ColumnFormat, column_format
from sentinel.passwords import INSECURE_TEST_ONLY, OWASP, Argon2Profile, HexRecipe, PasswordHasher, Pepper
from tests.migrate.vectors import RECIPE, mixed_rows

PEPPER = "p" * 24 + "pepper-key-for-migrations"


def hasher(
    profile: Argon2Profile,
    *,
    pepper: Pepper | None = None,
    recipe: str | None = RECIPE,
    plaintext: bool = False,
) -> PasswordHasher:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SentinelUnsafeWarning)
        return PasswordHasher(
            profile=profile,
            allow_weak=True,
            pepper=pepper,
            hex_recipe=HexRecipe(formula=recipe) if recipe else None,
            plaintext_column=plaintext,
            max_stored_length=4096,
        )


def fmt(recipe: str | None = RECIPE) -> ColumnFormat:
    return column_format(recipe=recipe, layout=None, plaintext=False, salt_column=None, username_column=None)


def test_every_vector_lands_in_its_category() -> None:
    classifier = Classifier(fmt(), hasher(INSECURE_TEST_ONLY))
    for row in mixed_rows():
        assert classifier.classify(row.stored, None, row.username).category == row.category, row


@pytest.mark.parametrize("profile", [INSECURE_TEST_ONLY, OWASP], ids=lambda p: p.name)
@pytest.mark.parametrize("peppered", [False, True], ids=["no-pepper", "pepper"])
def test_predicted_wrapped_length_is_exact(profile: Argon2Profile, peppered: bool) -> None:
    h = hasher(profile, pepper=Pepper([PEPPER]) if peppered else None)
    classifier = Classifier(fmt(), h)
    checked = 0
    for row in mixed_rows():
        verdict = classifier.classify(row.stored, None, row.username)
        if verdict.wrapped_length:
            assert verdict.wrapped_length == len(h.wrap(verdict.stored, salt=verdict.salt)), row.category
            checked += 1
    assert checked >= 13


def test_plaintext_prediction_matches_a_direct_hash() -> None:
    plain = column_format(recipe=None, layout=None, plaintext=True, salt_column=None, username_column=None)
    for pepper in (None, Pepper([PEPPER])):
        h = hasher(OWASP, pepper=pepper, recipe=None, plaintext=True)
        verdict = Classifier(plain, h).classify("hunter2", None, None)
        assert verdict.category == "plaintext"
        assert verdict.wrapped_length == len(h.wrap("hunter2"))


def test_outdated_argon2_is_judged_against_the_target_profile() -> None:
    made_at_owasp = hasher(OWASP).hash("pw")
    assert Classifier(fmt(), hasher(OWASP)).classify(made_at_owasp, None, None).category == "argon2-current"
    assert (
        Classifier(fmt(), hasher(INSECURE_TEST_ONLY)).classify(made_at_owasp, None, None).category
        == "argon2-outdated"
    )


def test_postgres_md5_needs_the_prefix_and_a_username() -> None:
    pg = column_format(
        recipe="postgres-md5", layout=None, plaintext=False, salt_column=None, username_column="u"
    )
    h = hasher(INSECURE_TEST_ONLY, recipe="md5(password+salt)")
    classifier = Classifier(pg, h)
    role = "md5" + hashlib.md5(b"secretalice", usedforsecurity=False).hexdigest()
    verdict = classifier.classify(role, None, "alice")
    assert verdict.category == "legacy:postgres-md5" and verdict.uses_username and verdict.salt == "alice"
    assert classifier.classify(role, None, None).category == "missing-salt"
    assert classifier.classify(role[3:], None, "alice").category == "ambiguous"  # bare hex is not a role md5
    assert classifier.classify("SCRAM-SHA-256$4096:c2FsdA==$a:b", None, "alice").category == "unknown"
    wrapped = h.wrap(verdict.stored, salt=verdict.salt)
    assert h.verify(wrapped, "secret") and not h.verify(wrapped, "secreT")


def test_verdict_repr_hides_the_value() -> None:
    classifier = Classifier(fmt(), hasher(INSECURE_TEST_ONLY))
    stored = mixed_rows()[0].stored
    assert stored is not None
    assert stored not in repr(classifier.classify(stored, None, None))
