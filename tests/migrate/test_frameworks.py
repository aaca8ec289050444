"""Tables as the frameworks write them, on every backend: a Django ``auth_user`` (VARCHAR(128), hashes
from Django's own hashers, unusable passwords), passlib, Werkzeug and LDAP values in it, and Flask-Bcrypt
long-password mode declared with ``--recipe flask-bcrypt-long-passwords``."""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa
from passlib import hash as plh  # type: ignore[import-untyped]

from tests.migrate.conftest import CliRunner, Db
from tests.migrate.vectors import UserRow, cheap_hasher, password_for
from tests.passwords.vectors import FLASK_BCRYPT_LONG, django, django_crypt, django_hashers, werkzeug_

#: (category the survey must report, maker): what a Django project's auth_user holds after years of
#: hasher changes, plus values teams imported from passlib and LDAP. (Werkzeug's scrypt values are
#: longer than 128 characters themselves, so they live in the Flask table below.)
DJANGO_MAKERS = [
    ("legacy:django-pbkdf2-sha256", django("PBKDF2PasswordHasher", iterations=1000)),
    ("legacy:django-pbkdf2-sha1", django("PBKDF2SHA1PasswordHasher", iterations=1000)),
    ("legacy:django-scrypt", django("ScryptPasswordHasher", work_factor=1024, parallelism=1)),
    ("legacy:django-bcrypt-sha256", django("BCryptSHA256PasswordHasher", rounds=4)),
    ("legacy:django-salted-md5", django("MD5PasswordHasher")),
    ("legacy:des-crypt", django_crypt),
    ("argon2-django", django("Argon2PasswordHasher", time_cost=1, memory_cost=64, parallelism=1)),
    ("legacy:passlib-bcrypt-sha256", plh.bcrypt_sha256.using(rounds=4, version=1).hash),
    ("legacy:passlib-bcrypt-sha256-v2", plh.bcrypt_sha256.using(rounds=4).hash),
    ("legacy:ldap-md5", plh.ldap_hex_md5.hash),
]


def django_rows() -> list[UserRow]:
    rows = []
    for category, make in DJANGO_MAKERS:
        pk = len(rows) + 1
        rows.append(UserRow(pk, f"user{pk}", password_for(pk), make(password_for(pk)), category))
    for _ in range(2):
        pk = len(rows) + 1
        rows.append(UserRow(pk, f"user{pk}", None, str(django_hashers().make_password(None)), "unusable"))
    return rows


def test_a_django_auth_user_table_migrates_in_varchar_128(db: Db, migrate: CliRunner) -> None:
    """Django's own column, unchanged: every row fits, unusable passwords are left alone, exit 0,
    and every user logs in afterwards with a hasher that declares nothing."""
    rows = django_rows()
    db.create(rows, hash_type=sa.String(128))

    dry = migrate(db.args("--json", profile="default"))
    survey = json.loads(dry.out)["survey"]
    assert dry.code == 0, dry.err
    assert survey["histogram"] == dict(Counter(r.category for r in rows))
    assert survey["column"]["too_long"] == 0 and survey["column"]["longest_wrapped"] <= 128
    assert "unusable password" in migrate(db.args(profile="default")).out

    run = migrate(db.args("--execute", "--workers", "1", "--json"))
    assert run.code == 0, run.err
    result = json.loads(run.out)["result"]
    assert result["wrapped"] == sum(r.category.startswith("legacy:") for r in rows)

    values = db.values()
    login = cheap_hasher()
    for row in rows:
        stored = values[row.pk]
        assert stored is not None and len(stored) <= 128
        if row.password is None:
            assert stored == row.stored  # unusable: untouched
            continue
        assert login.verify(stored, row.password), row.category
        assert not login.verify(stored, "x" + row.password)  # (DES crypt reads only 8 bytes)
        ok, upgraded = login.verify_and_update(stored, row.password)
        assert ok and upgraded is not None and upgraded.startswith("$argon2id$")

    again = migrate(db.args("--execute", "--workers", "1"))
    assert again.code == 0 and db.values() == values  # nothing left to do


def test_a_flask_table_with_bcrypt_long_password_mode_declared(db: Db, migrate: CliRunner) -> None:
    """Flask-Bcrypt's BCRYPT_HANDLE_LONG_PASSWORDS=True values (declared with a recipe) next to
    Werkzeug's own generate_password_hash values, which describe themselves."""
    password = "a passphrase longer than bcrypt's seventy-two byte limit, as the setting intends."
    makers = [FLASK_BCRYPT_LONG.make, werkzeug_("pbkdf2:sha256:1000"), werkzeug_("scrypt:1024:8:1")]
    rows = [
        UserRow(pk, f"user{pk}", f"{password}{pk}", makers[pk % 3](f"{password}{pk}"), "")
        for pk in range(1, 7)
    ]
    db.create(rows)

    run = migrate(db.args("--recipe", "flask-bcrypt-long-passwords", "--execute", "--json"))
    assert run.code == 0, run.err
    assert json.loads(run.out)["result"]["histogram"] == {
        "legacy:flask-bcrypt-sha256": 2,
        "legacy:werkzeug-pbkdf2": 2,
        "legacy:werkzeug-scrypt": 2,
    }
    values = db.values()
    login = cheap_hasher()  # the wrap names the scheme: the app needs no declaration afterwards
    for row in rows:
        stored = values[row.pk]
        assert stored is not None and row.password is not None
        assert login.verify(stored, row.password)
        assert not login.verify(stored, row.password[:72])
