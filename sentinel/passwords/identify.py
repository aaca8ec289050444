"""Recognise a stored password value by its format, strictly, without ever guessing.

Order: Sentinel's own formats (wrapped, compact-wrapped, peppered, direct argon2, and Django's
``argon2$`` spelling of argon2), Django's *unusable* password marker (``!`` or ``!`` + 40 letters and
digits: an account that cannot log in with a password), then the self-describing legacy schemes (each
owns a distinct prefix), then a declared ``HexRecipe``, then a declared plaintext column. A value that
fits none raises ``UnknownHashFormat``; a bare hex digest with no declared recipe raises
``AmbiguousHash``. An empty value always raises: legacy apps store ``""`` for "no password".

Flask-Bcrypt's long-password mode writes plain-looking ``$2b$`` hashes of the hex SHA-256 of the
password; only ``flask_bcrypt_long_passwords=True`` makes ``$2b$`` values read that way.

In a column declared plaintext, a value that is a *well-formed* hash (bcrypt, ...) is still read as that
hash: treating it as a password would let whoever has read the hash log in with it. A value that only
*starts* like a hash but is malformed is read as a plaintext password there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from sentinel.passwords.errors import AmbiguousHash, MissingSalt, UnknownHashFormat
from sentinel.passwords.formats import (
    COMPACT_PREFIX,
    PEPPER_PREFIX,
    SENTINEL_PREFIX,
    WRAP_PREFIX,
    Peppered,
    Wrapped,
    argon2_parameters,
    is_argon2,
    parse_compact,
    parse_peppered,
    parse_wrapped,
)
from sentinel.passwords.legacy import (
    FLASK_BCRYPT_SHA256,
    PLAINTEXT,
    WRAPPABLE,
    HexDigest,
    HexRecipe,
    ParsedHash,
    parse_self_describing,
)
from sentinel.passwords.legacy.bcrypt_scheme import Bcrypt

HashKind = Literal["argon2", "wrapped", "legacy", "plaintext", "unusable"]
#: Django's ``make_password(None)``: "!" + get_random_string(40); Django before 1.6 wrote "!" alone.
_UNUSABLE = re.compile(r"!(?:[A-Za-z0-9]{40})?")
#: Django's Argon2PasswordHasher stores "argon2" + argon2-cffi's encoding.
DJANGO_ARGON2_PREFIX = "argon2$argon2"
_BARE_HEX = re.compile(
    r"[0-9a-fA-F]{16,}|[^$:]{1,64}[$:][0-9a-fA-F]{32,128}|[0-9a-fA-F]{32,128}[$:][^$:]{1,64}"
)


@dataclass(frozen=True, kw_only=True)
class SchemeInfo:
    """What a stored value is. ``scheme`` is ``argon2id``/``argon2i``/``argon2d`` for direct hashes,
    else the legacy scheme's stable name (for a wrapped value: the legacy scheme inside it)."""

    kind: HashKind
    scheme: str
    label: str
    #: The pepper key id, for a peppered direct hash or a peppered wrap.
    pepper_kid: str | None = None

    @property
    def wrappable(self) -> bool:
        """Whether ``wrap()`` can upgrade it now, without the password (legacy or plaintext)."""
        return self.kind in ("legacy", "plaintext")

    @property
    def is_legacy(self) -> bool:
        """Anything but a direct argon2 hash or an unusable marker: ``verify_and_update`` will replace
        it on next login."""
        return self.kind not in ("argon2", "unusable")


@dataclass(frozen=True, kw_only=True)
class Direct:
    """A direct argon2 hash, possibly inside the pepper envelope."""

    encoded: str
    kid: str | None
    #: The value was stored in another library's spelling (Django's ``argon2$``): rehash at login.
    foreign: bool = False


@dataclass(frozen=True, kw_only=True)
class Unusable:
    """Django's unusable password: no password verifies; nothing to migrate."""


Classified = Direct | Wrapped | ParsedHash | Unusable


def classify(
    stored: str,
    *,
    hex_recipe: HexRecipe | None = None,
    plaintext: bool = False,
    salt: str | bytes | None = None,
    flask_bcrypt_long_passwords: bool = False,
) -> Classified:
    """Parse ``stored`` into what the hasher needs; see the module docstring for the order."""
    if not isinstance(stored, str):
        raise TypeError(f"stored hash must be str, not {type(stored).__name__}")
    if not stored:
        raise UnknownHashFormat("stored hash is empty: an empty column means no usable password")
    if stored.startswith((SENTINEL_PREFIX, COMPACT_PREFIX)):
        return _classify_sentinel(stored)
    if stored.startswith(("$argon2", DJANGO_ARGON2_PREFIX)):
        return _classify_argon2(stored)
    if not plaintext and _UNUSABLE.fullmatch(stored):
        return Unusable()
    try:
        parsed = parse_self_describing(stored)
    except UnknownHashFormat:
        if not plaintext:
            raise
        parsed = None
    if parsed is not None and flask_bcrypt_long_passwords and type(parsed.scheme) is Bcrypt:
        parsed = replace(parsed, scheme=FLASK_BCRYPT_SHA256)
    if parsed is None and hex_recipe is not None:
        parsed = _with_column_salt(HexDigest(hex_recipe).parse(stored), hex_recipe, salt)
    if parsed is None and plaintext:
        parsed = PLAINTEXT.parse(stored)
    if parsed is not None:
        return parsed
    if _BARE_HEX.fullmatch(stored):
        hint = "it does not fit the declared HexRecipe" if hex_recipe else "declare a HexRecipe"
        raise AmbiguousHash(f"stored value is a bare hex digest ({len(stored)} characters): {hint}")
    raise UnknownHashFormat(f"stored value ({len(stored)} characters) matches no supported scheme")


def _classify_argon2(stored: str) -> Direct:
    foreign = stored.startswith(DJANGO_ARGON2_PREFIX)
    encoded = stored[len("argon2") :] if foreign else stored
    if not is_argon2(encoded):
        raise UnknownHashFormat("stored value looks like argon2 but is malformed")
    return Direct(encoded=encoded, kid=None, foreign=foreign)


def _classify_sentinel(stored: str) -> Classified:
    if stored.startswith((WRAP_PREFIX, COMPACT_PREFIX)):
        wrapped = parse_wrapped(stored) if stored.startswith(WRAP_PREFIX) else parse_compact(stored)
        scheme = WRAPPABLE.get(wrapped.scheme_name)
        if scheme is None:
            raise UnknownHashFormat("wrapped value names an unknown legacy scheme")
        scheme.check_fields(wrapped.params)
        scheme.check_params(wrapped.params)
        return wrapped
    if stored.startswith(PEPPER_PREFIX):
        peppered: Peppered = parse_peppered(stored)
        return Direct(encoded=peppered.inner, kid=peppered.kid)
    raise UnknownHashFormat("stored value has an unknown $sentinel- format (from a newer Sentinel?)")


def _with_column_salt(
    parsed: ParsedHash | None, recipe: HexRecipe, salt: str | bytes | None
) -> ParsedHash | None:
    if parsed is None or recipe.salt_source != "column":
        return parsed
    if salt is None:
        raise MissingSalt("the HexRecipe reads the salt from a separate column: pass salt=")
    salt_bytes = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    return replace(parsed, params=replace(parsed.params, salt=salt_bytes))


def describe(classified: Classified) -> SchemeInfo:
    """The public description of a classified value."""
    if isinstance(classified, Unusable):
        return SchemeInfo(kind="unusable", scheme="unusable", label="unusable password (Django '!')")
    if isinstance(classified, Direct):
        scheme = argon2_parameters(classified.encoded).type.name.lower()
        label = "Django argon2 (argon2$...)" if classified.foreign else "argon2"
        return SchemeInfo(kind="argon2", scheme=f"argon2{scheme}", label=label, pepper_kid=classified.kid)
    if isinstance(classified, Wrapped):
        inner = WRAPPABLE[classified.scheme_name]
        return SchemeInfo(
            kind="wrapped",
            scheme=inner.name,
            label=f"argon2-wrapped {inner.label}",
            pepper_kid=classified.kid,
        )
    kind: HashKind = "plaintext" if classified.scheme is PLAINTEXT else "legacy"
    return SchemeInfo(kind=kind, scheme=classified.scheme.name, label=classified.scheme.label)


def identify(
    stored: str,
    *,
    hex_recipe: HexRecipe | None = None,
    plaintext: bool = False,
    flask_bcrypt_long_passwords: bool = False,
) -> SchemeInfo:
    """Which scheme ``stored`` is. Raises ``UnknownHashFormat`` / ``AmbiguousHash``; never guesses.

    Needs no salt even when a ``HexRecipe`` reads one from a separate column.
    """
    return describe(
        classify(
            stored,
            hex_recipe=hex_recipe,
            plaintext=plaintext,
            salt=b"",
            flask_bcrypt_long_passwords=flask_bcrypt_long_passwords,
        )
    )


__all__ = [
    "DJANGO_ARGON2_PREFIX",
    "Classified",
    "Direct",
    "HashKind",
    "SchemeInfo",
    "Unusable",
    "classify",
    "describe",
    "identify",
]
