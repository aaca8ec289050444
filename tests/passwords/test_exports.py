"""The public surface: ``__all__`` is honest, and the error tree is what its docstring says."""

from __future__ import annotations

import inspect

import sentinel.passwords as passwords
from sentinel.errors import SentinelError
from sentinel.passwords import errors


def test_all_names_exist_and_are_unique() -> None:
    assert len(passwords.__all__) == len(set(passwords.__all__))
    for name in passwords.__all__:
        assert hasattr(passwords, name), name


def test_every_public_error_is_exported_and_documented() -> None:
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.PasswordError)
    ]
    assert len(classes) >= 10
    for cls in classes:
        assert cls.__name__ in passwords.__all__
        assert cls.__name__ in (errors.__doc__ or "")
        assert issubclass(cls, SentinelError)


def test_legacy_scheme_names_are_stable_identifiers() -> None:
    """These names are written into wrapped hashes: renaming one would orphan stored values."""
    assert passwords.LEGACY_SCHEMES == (
        "apr-md5-crypt",
        "bcrypt",
        "des-crypt",
        "django-bcrypt",
        "django-bcrypt-sha256",
        "django-pbkdf2-sha1",
        "django-pbkdf2-sha256",
        "django-salted-md5",
        "django-salted-sha1",
        "django-scrypt",
        "flask-bcrypt-sha256",
        "hex",
        "ldap-md5",
        "ldap-salted-md5",
        "ldap-salted-sha1",
        "ldap-salted-sha256",
        "ldap-salted-sha512",
        "ldap-sha1",
        "ldap-sha256",
        "ldap-sha512",
        "md5-crypt",
        "mysql41",
        "passlib-bcrypt-sha256",
        "passlib-bcrypt-sha256-v2",
        "phpass",
        "sha256-crypt",
        "sha512-crypt",
        "werkzeug-pbkdf2",
        "werkzeug-scrypt",
        "plaintext",
    )


def test_compact_scheme_codes_are_stable() -> None:
    """The short codes are written into compact ($sw2$) wraps: changing one would orphan stored values."""
    from sentinel.passwords.legacy import WRAPPABLE

    assert {name: scheme.code for name, scheme in WRAPPABLE.items()} == {
        "apr-md5-crypt": "apr",
        "bcrypt": "bc",
        "des-crypt": "des",
        "django-bcrypt": "dbc",
        "django-bcrypt-sha256": "dbs",
        "django-pbkdf2-sha1": "dp1",
        "django-pbkdf2-sha256": "dp",
        "django-salted-md5": "dm",
        "django-salted-sha1": "ds",
        "django-scrypt": "dsc",
        "flask-bcrypt-sha256": "fbs",
        "hex": "hx",
        "ldap-md5": "lmd5",
        "ldap-salted-md5": "lsmd5",
        "ldap-salted-sha1": "ls1",
        "ldap-salted-sha256": "ls256",
        "ldap-salted-sha512": "ls512",
        "ldap-sha1": "l1",
        "ldap-sha256": "l256",
        "ldap-sha512": "l512",
        "md5-crypt": "m1",
        "mysql41": "my",
        "passlib-bcrypt-sha256": "pbs",
        "passlib-bcrypt-sha256-v2": "pbs2",
        "phpass": "pp",
        "sha256-crypt": "s5",
        "sha512-crypt": "s6",
        "werkzeug-pbkdf2": "wp",
        "werkzeug-scrypt": "ws",
    }
