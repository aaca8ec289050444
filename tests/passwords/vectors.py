"""Legacy hashes made by INDEPENDENT tools, never by Sentinel: Django's own hashers, libpass (passlib),
bcrypt, OpenSSL, the C library's crypt(3) (libxcrypt, through Python 3.11's ``crypt`` module),
Werkzeug, Flask-Bcrypt and hashlib.

Each maker takes a password and returns the stored string the tool produced, with a fresh random salt.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import shutil
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import bcrypt
import pytest
import werkzeug.security
from passlib import hash as plh  # type: ignore[import-untyped]


@dataclass(frozen=True)
class Maker:
    tool: str
    scheme: str
    make: Callable[[str], str]

    @property
    def id(self) -> str:
        return f"{self.scheme}[{self.tool}]"


def openssl_passwd(flag: str, password: str, salt: str) -> str:
    """``openssl passwd -1/-apr1/-5/-6`` (skips when the binary is missing)."""
    binary = shutil.which("openssl")
    if binary is None:
        pytest.skip("openssl is not installed (it is in the base image; install it to run this vector)")
    done = subprocess.run(
        [binary, "passwd", flag, "-salt", salt, "-stdin"],
        input=password.encode("utf-8") + b"\n",
        capture_output=True,
        check=True,
        timeout=10,
    )
    return done.stdout.decode("ascii").strip()


def libc_crypt() -> ModuleType:
    """Python 3.11's ``crypt`` (the system's libxcrypt), or skip where it is gone (3.13+)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return importlib.import_module("crypt")
        except ImportError:
            pytest.skip("the crypt module is gone in this Python; other tools cover these schemes")


def libc(setting: str) -> Callable[[str], str]:
    def make(password: str) -> str:
        module = libc_crypt()
        result: str = module.crypt(password, setting + _salt(8 if setting == "$1$" else 16))
        return result

    return make


def _salt(n: int) -> str:
    alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[b % 64] for b in os.urandom(n))


def libc_bcrypt(prefix: str) -> Callable[[str], str]:
    def make(password: str) -> str:
        salt = bcrypt.gensalt(4).decode()[7:]  # a canonical 22-character salt
        result: str = libc_crypt().crypt(password, f"{prefix}04${salt}")
        return result

    return make


def ssl(flag: str, rounds: int | None = None, salt_len: int = 8) -> Callable[[str], str]:
    def make(password: str) -> str:
        salt = _salt(salt_len)
        return openssl_passwd(flag, password, f"rounds={rounds}${salt}" if rounds else salt)

    return make


def bcrypt_lib(prefix: bytes) -> Callable[[str], str]:
    def make(password: str) -> str:
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4, prefix=prefix)).decode()

    return make


def ldap_ssha_by_hand(password: str) -> str:
    """{SSHA} as RFC 2307 / OpenLDAP slappasswd build it: base64(sha1(password + salt) + salt)."""
    salt = os.urandom(4)
    digest = hashlib.sha1(password.encode() + salt, usedforsecurity=False).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def ldap_unsalted_by_hand(tag: str, name: str) -> Callable[[str], str]:
    def make(password: str) -> str:
        return tag + base64.b64encode(hashlib.new(name, password.encode()).digest()).decode()

    return make


def mysql_by_hand(password: str) -> str:
    inner = hashlib.sha1(password.encode(), usedforsecurity=False).digest()
    return "*" + hashlib.sha1(inner, usedforsecurity=False).hexdigest().upper()


def passlib(handler: object) -> Callable[[str], str]:
    def make(password: str) -> str:
        result: str = handler.hash(password)  # type: ignore[attr-defined]
        return result

    return make


def django_hashers() -> ModuleType:
    """``django.contrib.auth.hashers`` with minimal settings (Django refuses to import it without)."""
    from django.conf import settings  # type: ignore[import-untyped]

    if not settings.configured:
        settings.configure(USE_TZ=True)
    return importlib.import_module("django.contrib.auth.hashers")


def django(hasher_name: str, **cheap: int) -> Callable[[str], str]:
    """Django's own hasher class, with cheap parameters (class attributes, as Django's docs suggest
    for subclassing) so tests stay fast."""

    def make(password: str) -> str:
        base = getattr(django_hashers(), hasher_name)
        hasher = type(f"Cheap{hasher_name}", (base,), cheap)()
        result: str = hasher.encode(password, hasher.salt())
        return result

    return make


def django_crypt(password: str) -> str:
    """Django 4.2's CryptPasswordHasher: ``"crypt$$" + crypt.crypt(password, two salt characters)``.

    Django 5 dropped the class, so its encode step is reproduced with the C library (or, where the
    ``crypt`` module is gone, libpass's DES crypt)."""
    salt = _salt(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            module = importlib.import_module("crypt")
        except ImportError:
            return "crypt$$" + str(plh.des_crypt.hash(password, salt=salt))
    return "crypt$$" + str(module.crypt(password, salt))


def flask_bcrypt_long(password: str) -> str:
    """Flask-Bcrypt with ``BCRYPT_HANDLE_LONG_PASSWORDS=True``, through a real Flask app."""
    import flask
    import flask_bcrypt  # type: ignore[import-untyped]

    app = flask.Flask("sentinel-tests")
    app.config.update(BCRYPT_LOG_ROUNDS=4, BCRYPT_HANDLE_LONG_PASSWORDS=True)
    result: bytes = flask_bcrypt.Bcrypt(app).generate_password_hash(password)
    return result.decode("ascii")


def werkzeug_(method: str) -> Callable[[str], str]:
    def make(password: str) -> str:
        return werkzeug.security.generate_password_hash(password, method)

    return make


MAKERS: list[Maker] = [
    # bcrypt and its Django wrappers
    Maker("bcrypt", "bcrypt", bcrypt_lib(b"2b")),
    Maker("bcrypt-2a", "bcrypt", bcrypt_lib(b"2a")),
    Maker("libxcrypt-2y", "bcrypt", libc_bcrypt("$2y$")),
    Maker("libxcrypt-2b", "bcrypt", libc_bcrypt("$2b$")),
    Maker("libpass", "bcrypt", passlib(plh.bcrypt.using(rounds=4))),
    Maker("libpass", "django-bcrypt", passlib(plh.django_bcrypt.using(rounds=4))),
    Maker("libpass", "django-bcrypt-sha256", passlib(plh.django_bcrypt_sha256.using(rounds=4))),
    Maker("django", "django-bcrypt-sha256", django("BCryptSHA256PasswordHasher", rounds=4)),
    Maker("libpass-v2", "passlib-bcrypt-sha256-v2", passlib(plh.bcrypt_sha256.using(rounds=4))),
    Maker("libpass-v1", "passlib-bcrypt-sha256", passlib(plh.bcrypt_sha256.using(rounds=4, version=1))),
    # Django (its own hashers first, then libpass's reimplementations)
    Maker("django", "django-pbkdf2-sha256", django("PBKDF2PasswordHasher", iterations=1000)),
    Maker("django", "django-pbkdf2-sha1", django("PBKDF2SHA1PasswordHasher", iterations=1000)),
    Maker("django", "django-scrypt", django("ScryptPasswordHasher", work_factor=1024, parallelism=1)),
    Maker("django", "django-salted-md5", django("MD5PasswordHasher")),
    Maker("django-4.2", "des-crypt", django_crypt),
    Maker("libpass", "django-pbkdf2-sha256", passlib(plh.django_pbkdf2_sha256.using(rounds=1000))),
    Maker("libpass", "django-pbkdf2-sha1", passlib(plh.django_pbkdf2_sha1.using(rounds=1000))),
    Maker("libpass", "django-salted-md5", passlib(plh.django_salted_md5)),
    Maker("libpass", "django-salted-sha1", passlib(plh.django_salted_sha1)),
    Maker("libpass-unsalted", "django-salted-sha1", passlib(plh.django_salted_sha1.using(salt=""))),
    # phpass
    Maker("libpass-P", "phpass", passlib(plh.phpass.using(rounds=8))),
    Maker("libpass-H", "phpass", passlib(plh.phpass.using(rounds=9, ident="H"))),
    # crypt(3) family
    Maker("openssl", "md5-crypt", ssl("-1")),
    Maker("libxcrypt", "md5-crypt", libc("$1$")),
    Maker("libpass", "md5-crypt", passlib(plh.md5_crypt)),
    Maker("openssl", "apr-md5-crypt", ssl("-apr1")),
    Maker("libpass", "apr-md5-crypt", passlib(plh.apr_md5_crypt)),
    Maker("openssl", "sha256-crypt", ssl("-5", salt_len=16)),
    Maker("openssl-rounds", "sha256-crypt", ssl("-5", rounds=1500, salt_len=12)),
    Maker("libxcrypt", "sha256-crypt", libc("$5$rounds=2000$")),
    Maker("libpass", "sha256-crypt", passlib(plh.sha256_crypt.using(rounds=5000))),
    Maker("openssl", "sha512-crypt", ssl("-6", salt_len=16)),
    Maker("openssl-rounds", "sha512-crypt", ssl("-6", rounds=1001, salt_len=3)),
    Maker("libxcrypt", "sha512-crypt", libc("$6$")),
    Maker("libpass", "sha512-crypt", passlib(plh.sha512_crypt.using(rounds=1000))),
    # LDAP
    Maker("libpass", "ldap-sha1", passlib(plh.ldap_sha1)),
    Maker("libpass", "ldap-salted-sha1", passlib(plh.ldap_salted_sha1)),
    Maker("hashlib", "ldap-salted-sha1", ldap_ssha_by_hand),
    Maker("libpass", "ldap-md5", passlib(plh.ldap_md5)),
    Maker("libpass-hex", "ldap-md5", passlib(plh.ldap_hex_md5)),
    Maker("libpass-hex", "ldap-sha1", passlib(plh.ldap_hex_sha1)),
    Maker("libpass", "ldap-salted-md5", passlib(plh.ldap_salted_md5)),
    Maker("libpass", "ldap-salted-sha256", passlib(plh.ldap_salted_sha256)),
    Maker("hashlib", "ldap-sha256", ldap_unsalted_by_hand("{SHA256}", "sha256")),
    Maker("hashlib", "ldap-sha512", ldap_unsalted_by_hand("{SHA512}", "sha512")),
    Maker("libpass", "ldap-salted-sha512", passlib(plh.ldap_salted_sha512)),
    # MySQL
    Maker("libpass", "mysql41", passlib(plh.mysql41)),
    Maker("hashlib", "mysql41", mysql_by_hand),
    # Werkzeug
    Maker("werkzeug", "werkzeug-pbkdf2", werkzeug_("pbkdf2:sha256:1000")),
    Maker("werkzeug-sha512", "werkzeug-pbkdf2", werkzeug_("pbkdf2:sha512:1000")),
    Maker("werkzeug-sha1", "werkzeug-pbkdf2", werkzeug_("pbkdf2:sha1:1000")),
    Maker("werkzeug", "werkzeug-scrypt", werkzeug_("scrypt:1024:8:1")),
]

#: Declared schemes (their hashes look like another scheme's): made by the real library, verified
#: only under the declaration.
FLASK_BCRYPT_LONG = Maker("flask-bcrypt", "flask-bcrypt-sha256", flask_bcrypt_long)

#: One maker per scheme, for tests that need each scheme once (wrap round trips, column fit).
ONE_PER_SCHEME: dict[str, Maker] = {}
for _maker in MAKERS:
    ONE_PER_SCHEME.setdefault(_maker.scheme, _maker)
