"""identify() on hostile input: it never crashes, and whatever it names, the value really has that
scheme's format (checked against patterns written here from the formats' specifications)."""

from __future__ import annotations

import re
import warnings

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sentinel.passwords import (
    INSECURE_TEST_ONLY,
    AmbiguousHash,
    PasswordError,
    PasswordHasher,
    UnknownHashFormat,
    identify,
)
from tests.passwords.conftest import PASSWORDS, as_v1
from tests.passwords.vectors import ONE_PER_SCHEME

_C64 = "[./0-9A-Za-z]"


def ci(tag: str) -> str:
    """An ASCII-only case-insensitive {TAG} (re's IGNORECASE also lets U+017F, long s, match "s")."""
    return r"\{" + "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in tag) + r"\}"


_BCRYPT = r"\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}"
_ARGON2 = r"\$argon2(?:id|i|d)\$(?:v=[0-9]+\$)?m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+"
#: What each scheme's values look like, from the formats' own documentation, not from our parser.
SPEC_PATTERNS = {
    "argon2": _ARGON2,
    "peppered": r"\$sentinel-pepper\$v=1\$kid=[0-9a-f]{8}" + _ARGON2,
    "wrapped": r"\$sentinel-wrap\$v=1\$[a-z0-9-]+\$[a-z]*=?[^$]*" + _ARGON2,
    "compact": r"\$sw2\$[a-z0-9]+(?:\$[^$]*){1,5}\$(?:[0-9a-f]{8})?"
    r"\$[0-9]+\.[0-9]+\.[0-9]+\$[A-Za-z0-9_-]{27,}",
    "argon2-django": r"argon2" + _ARGON2,
    "unusable": r"!(?:[A-Za-z0-9]{40})?",
    "bcrypt": _BCRYPT,
    "django-bcrypt": r"bcrypt\$" + _BCRYPT,
    "django-bcrypt-sha256": r"bcrypt_sha256\$" + _BCRYPT,
    "django-pbkdf2-sha256": r"pbkdf2_sha256\$[0-9]+\$[^$]*\$[A-Za-z0-9+/]{43}=",
    "django-pbkdf2-sha1": r"pbkdf2_sha1\$[0-9]+\$[^$]*\$[A-Za-z0-9+/]{27}=",
    "django-salted-md5": r"md5\$[^$]*\$[0-9a-fA-F]{32}",
    "django-salted-sha1": r"sha1\$[^$]*\$[0-9a-fA-F]{40}",
    "django-scrypt": r"scrypt\$[0-9]+\$[^$]*\$[0-9]+\$[0-9]+\$[A-Za-z0-9+/]{86}==",
    "des-crypt": rf"crypt\${_C64}{{0,2}}\${_C64}{{13}}",
    "passlib-bcrypt-sha256": r"\$bcrypt-sha256\$2[ab],[0-9]{1,2}\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{31}",
    "passlib-bcrypt-sha256-v2": r"\$bcrypt-sha256\$v=2,t=2b,r=[0-9]{1,2}"
    r"\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{31}",
    "phpass": rf"\$[PH]\${_C64}{{31}}",
    "md5-crypt": rf"\$1\${_C64}{{0,8}}\${_C64}{{22}}",
    "apr-md5-crypt": rf"\$apr1\${_C64}{{0,8}}\${_C64}{{22}}",
    "sha256-crypt": rf"\$5\$(?:rounds=[0-9]+\$)?{_C64}{{0,16}}\${_C64}{{43}}",
    "sha512-crypt": rf"\$6\$(?:rounds=[0-9]+\$)?{_C64}{{0,16}}\${_C64}{{86}}",
    "ldap-md5": ci("MD5") + r"(?:[A-Za-z0-9+/]{22}==|[0-9a-fA-F]{32})",
    "ldap-salted-md5": ci("SMD5") + r"[A-Za-z0-9+/=]{24,}",
    "ldap-sha1": ci("SHA") + r"(?:[A-Za-z0-9+/]{27}=|[0-9a-fA-F]{40})",
    "ldap-salted-sha1": ci("SSHA") + r"[A-Za-z0-9+/=]{28,}",
    "ldap-sha256": ci("SHA256") + r"(?:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})",
    "ldap-salted-sha256": ci("SSHA256") + r"[A-Za-z0-9+/=]{44,}",
    "ldap-sha512": ci("SHA512") + r"(?:[A-Za-z0-9+/]{86}==|[0-9a-fA-F]{128})",
    "ldap-salted-sha512": ci("SSHA512") + r"[A-Za-z0-9+/=]{88,}",
    "mysql41": r"\*[0-9A-Fa-f]{40}",
    "werkzeug-pbkdf2": r"pbkdf2:[a-z0-9]+:[0-9]+\$[A-Za-z0-9]+\$[0-9a-f]+",
    "werkzeug-scrypt": r"scrypt:[0-9]+:[0-9]+:[0-9]+\$[A-Za-z0-9]+\$[0-9a-f]{128}",
}


def _test_hasher() -> PasswordHasher:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return PasswordHasher(profile=INSECURE_TEST_ONLY, allow_weak=True, pepper=None)


_HASHER = _test_hasher()
#: Valid values of every scheme (made by independent tools) and of Sentinel's own formats.
SAMPLES = [m.make(PASSWORDS[0]) for m in ONE_PER_SCHEME.values()]
SAMPLES += [_HASHER.hash(PASSWORDS[0]), *(_HASHER.wrap(s) for s in SAMPLES[:6])]
SAMPLES += [as_v1(_HASHER.wrap(s)) for s in SAMPLES[:3]]
SAMPLES += ["argon2" + _HASHER.hash(PASSWORDS[0]), "!" + "Ab1" * 13 + "x"]
PREFIXES = sorted(
    {
        "$2b$",
        "$2a$04$",
        "$2x$04$",
        "$1$",
        "$apr1$",
        "$5$",
        "$6$rounds=",
        "$P$",
        "$H$",
        "{SSHA}",
        "{sha}",
        "*",
        "pbkdf2_sha256$",
        "pbkdf2:sha256:",
        "scrypt:",
        "md5$",
        "sha1$",
        "bcrypt$",
        "bcrypt_sha256$",
        "$argon2id$",
        "$sentinel-wrap$v=1$",
        "$sw2$",
        "$sw2$bc$12$",
        "$sw2$dp$",
        "argon2$argon2id$",
        "scrypt$",
        "crypt$$",
        "!",
        "$bcrypt-sha256$v=2,t=2b,r=",
        "$bcrypt-sha256$2b,",
        "$sentinel-pepper$v=1$kid=",
        "$sentinel-",
    }
)
FORMAT_CHARS = st.sampled_from(list("$./0123456789abcdefABCDEFxyzXYZ=+,:{}*_-\x00é"))


@st.composite
def mutated_sample(draw: st.DrawFn) -> str:
    value = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 3))):
        pos = draw(st.integers(0, len(value)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        char = draw(FORMAT_CHARS)
        if action == "insert":
            value = value[:pos] + char + value[pos:]
        elif action == "delete":
            value = value[:pos] + value[pos + 1 :]
        elif action == "replace":
            value = value[:pos] + char + value[pos + 1 :]
        else:
            value = value[:pos]
    return value


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.builds(lambda p, t: p + t, st.sampled_from(PREFIXES), st.text(FORMAT_CHARS, max_size=160)),
    mutated_sample(),
)


def spec_pattern(info_kind: str, scheme: str, pepper_kid: str | None) -> str:
    if info_kind == "argon2":
        if pepper_kid:
            return SPEC_PATTERNS["peppered"]
        return f"(?:{SPEC_PATTERNS['argon2']}|{SPEC_PATTERNS['argon2-django']})"
    if info_kind == "wrapped":
        return f"(?:{SPEC_PATTERNS['wrapped']}|{SPEC_PATTERNS['compact']})"
    if info_kind == "unusable":
        return SPEC_PATTERNS["unusable"]
    if scheme == "des-crypt":  # Django's crypt$ may also hold md5/sha/bcrypt crypt(3) output
        return SPEC_PATTERNS[scheme]
    return f"(?:crypt\\$[^$]*\\$)?(?:{SPEC_PATTERNS[scheme]})"


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE)
def test_identify_never_crashes_and_never_misidentifies(stored: str) -> None:
    try:
        info = identify(stored)
    except PasswordError:
        return
    assert re.fullmatch(spec_pattern(info.kind, info.scheme, info.pepper_kid), stored, re.S), info


@settings(max_examples=500, deadline=None)
@given(HOSTILE)
def test_plaintext_column_only_reads_well_formed_hashes_as_hashes(stored: str) -> None:
    try:
        info = identify(stored, plaintext=True)
    except PasswordError:
        prefixes = ("$sentinel-", "$sw2$", "$argon2", "argon2$argon2")
        assert stored == "" or stored.startswith(prefixes) or not _encodable(stored)
        return
    if info.kind != "plaintext":
        assert re.fullmatch(spec_pattern(info.kind, info.scheme, info.pepper_kid), stored, re.S)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _cheap(stored: str) -> bool:
    """No big cost parameter (a mutation can turn rounds=5000 into rounds=9999999)."""
    numbers = [int(n) for n in re.findall(r"[0-9]+", stored)[:8] if len(n) <= 9]
    return not re.search(r"[0-9]{6,}", stored) and not (
        stored.startswith("$2") and max(numbers, default=0) > 6
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sample())
def test_verify_on_hostile_stored_values_returns_or_raises_cleanly(stored: str) -> None:
    assume(_cheap(stored))
    try:
        result = _HASHER.verify(stored, PASSWORDS[0])
    except PasswordError:
        return
    assert isinstance(result, bool)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "!x",
        "!" + "a" * 39,
        "*",
        "!$6$abc$def",
        "$2x$04$" + "a" * 53,
        "$sentinel-v2$x",
        "$argon2id$",
        "$sw2$zz$",
    ],
)
def test_unusable_values_are_unknown_formats(stored: str) -> None:
    with pytest.raises(UnknownHashFormat):
        identify(stored)


def test_non_ascii_lookalike_tags_are_not_ldap() -> None:
    """U+017F (long s) upper-cases to "S": a naive case-insensitive compare would read it as {SHA}."""
    with pytest.raises(UnknownHashFormat):
        identify("{\u017fHA}" + "A" * 27 + "=")


def test_empty_is_never_a_plaintext_password() -> None:
    """Legacy apps store "" for "no password set"; reading it as plaintext would accept "" as a password."""
    with pytest.raises(UnknownHashFormat, match="empty"):
        identify("", plaintext=True)


def test_errors_never_echo_the_stored_value() -> None:
    secret_looking = "hunter2-" + "f" * 40
    for value in (secret_looking, "$1$" + secret_looking, "{SSHA}" + secret_looking):
        with pytest.raises(PasswordError) as caught:
            identify(value)
        assert secret_looking not in str(caught.value)


def test_ambiguous_is_an_unknown_format() -> None:
    """Callers that catch UnknownHashFormat (e.g. the migration's report) also catch AmbiguousHash."""
    assert issubclass(AmbiguousHash, UnknownHashFormat)


def test_identify_reports_sentinel_formats(make_hasher: object) -> None:
    direct = _HASHER.hash("x")
    wrapped = _HASHER.wrap(SAMPLES[0])

    assert identify(direct).kind == "argon2" and identify(direct).scheme == "argon2id"
    assert not identify(direct).is_legacy and not identify(direct).wrappable
    assert identify(wrapped).kind == "wrapped" and identify(wrapped).scheme == "bcrypt"
    assert identify(wrapped).is_legacy and not identify(wrapped).wrappable
    assert identify(SAMPLES[0]).wrappable
