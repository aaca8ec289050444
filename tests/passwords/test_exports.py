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
        "django-bcrypt",
        "django-bcrypt-sha256",
        "django-pbkdf2-sha1",
        "django-pbkdf2-sha256",
        "django-salted-md5",
        "django-salted-sha1",
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
        "phpass",
        "sha256-crypt",
        "sha512-crypt",
        "werkzeug-pbkdf2",
        "werkzeug-scrypt",
        "plaintext",
    )
