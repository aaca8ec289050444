"""User rows for migration tests, made by INDEPENDENT tools (hashlib, bcrypt, libpass/passlib,
argon2-cffi), never by the code under test, except the "already wrapped" rows, which Sentinel's
``PasswordHasher.wrap`` makes from an independent legacy hash (the migration must recognise its own
format).

Every row carries its password (``None`` when the row cannot log in) and the category the survey must
put it in.
"""

from __future__ import annotations

import base64
import hashlib
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import argon2
import bcrypt
from passlib import hash as plh  # type: ignore[import-untyped]

from sentinel.errors import SentinelUnsafeWarning
from sentinel.passwords import INSECURE_TEST_ONLY, PasswordHasher

#: The bare-hex recipe every mixed table declares.
RECIPE = "md5(password)"


@dataclass(frozen=True)
class UserRow:
    pk: int
    username: str
    password: str | None
    stored: str | None
    category: str
    salt: str | None = None


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()


def ldap_ssha(password: str) -> str:
    salt = os.urandom(4)
    digest = hashlib.sha1(password.encode() + salt, usedforsecurity=False).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def mysql41(password: str) -> str:
    inner = hashlib.sha1(password.encode(), usedforsecurity=False).digest()
    return "*" + hashlib.sha1(inner, usedforsecurity=False).hexdigest().upper()


def bcrypt_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()


def passlib_maker(handler: object) -> Callable[[str], str]:
    def make(password: str) -> str:
        result: str = handler.hash(password)  # type: ignore[attr-defined]
        return result

    return make


#: Argon2 made by argon2-cffi at exactly the insecure test profile: "current" for the tests' runs.
_ARGON2_CURRENT = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=16)
#: Other parameters: "outdated".
_ARGON2_OLD = argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1, hash_len=16, salt_len=16)

#: (scheme category, maker): every legacy scheme the mixed table holds.
LEGACY_MAKERS: list[tuple[str, Callable[[str], str]]] = [
    ("legacy:hex", md5_hex),
    ("legacy:bcrypt", bcrypt_hash),
    ("legacy:bcrypt", passlib_maker(plh.bcrypt.using(rounds=4))),
    ("legacy:django-bcrypt", passlib_maker(plh.django_bcrypt.using(rounds=4))),
    ("legacy:django-pbkdf2-sha256", passlib_maker(plh.django_pbkdf2_sha256.using(rounds=1000))),
    ("legacy:django-salted-md5", passlib_maker(plh.django_salted_md5)),
    ("legacy:phpass", passlib_maker(plh.phpass.using(rounds=8))),
    ("legacy:md5-crypt", passlib_maker(plh.md5_crypt)),
    ("legacy:apr-md5-crypt", passlib_maker(plh.apr_md5_crypt)),
    ("legacy:sha512-crypt", passlib_maker(plh.sha512_crypt.using(rounds=1000))),
    ("legacy:ldap-salted-sha1", ldap_ssha),
    ("legacy:ldap-sha1", passlib_maker(plh.ldap_sha1)),
    ("legacy:mysql41", mysql41),
]


def cheap_hasher(**kwargs: object) -> PasswordHasher:
    """Sentinel's hasher at the test profile, its loud warning silenced (expected here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SentinelUnsafeWarning)
        kwargs.setdefault("pepper", None)
        return PasswordHasher(profile=INSECURE_TEST_ONLY, allow_weak=True, **kwargs)  # type: ignore[arg-type]


def password_for(pk: int) -> str:
    return f"pässwörd-{pk}-€" if pk % 3 == 0 else f"correct horse {pk}"


def mixed_rows() -> list[UserRow]:
    """One row per legacy maker, plus every non-legacy category the histogram names."""
    rows: list[UserRow] = []
    for category, make in LEGACY_MAKERS:
        pk = len(rows) + 1
        rows.append(UserRow(pk, f"user{pk}", password_for(pk), make(password_for(pk)), category))

    def add(password: str | None, stored: str | None, category: str) -> None:
        pk = len(rows) + 1
        rows.append(UserRow(pk, f"user{pk}", password, stored, category))

    add(password_for(100), _ARGON2_CURRENT.hash(password_for(100)), "argon2-current")
    add(password_for(101), _ARGON2_OLD.hash(password_for(101)), "argon2-outdated")
    add(password_for(102), cheap_hasher().wrap(bcrypt_hash(password_for(102))), "wrapped")
    add(None, sha1_hex("sha1 does not fit the md5 recipe"), "ambiguous")
    add(None, "not a password hash at all", "unknown")
    add(None, "", "empty")
    add(None, None, "empty")
    return rows


def bulk_rows(count: int, *, start: int = 1) -> list[UserRow]:
    """Many cheap legacy rows (bare md5, LDAP, MySQL), for crash and concurrency runs."""
    makers: list[tuple[str, Callable[[str], str]]] = [
        ("legacy:hex", md5_hex),
        ("legacy:ldap-salted-sha1", ldap_ssha),
        ("legacy:mysql41", mysql41),
    ]
    rows = []
    for pk in range(start, start + count):
        category, make = makers[pk % len(makers)]
        rows.append(UserRow(pk, f"user{pk}", password_for(pk), make(password_for(pk)), category))
    return rows
