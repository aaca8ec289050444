"""Sort each row into one category, and say what wrapping it would write and how long that would be.

The categories are the dry run's histogram and the run's counters. A row is *wrappable* when it holds a
legacy hash (or a declared plaintext password); everything else is left alone: current argon2, argon2
with outdated parameters or in Django's ``argon2$`` spelling (rehashed at the next login anyway), values
already wrapped, Django's unusable passwords (``!``: the account has no password to migrate), and values
that cannot be judged (ambiguous bare hex, unknown formats, a missing salt, empty or NULL).

The wrapped length is computed exactly, without hashing: the envelope is deterministic, and the argon2
part's length depends only on the profile. That is how the dry run checks the column width for every
row at the cost of a parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sentinel.migrate.config import ColumnFormat
from sentinel.passwords import (
    AmbiguousHash,
    Argon2Profile,
    MissingSalt,
    PasswordHasher,
    UnknownHashFormat,
)
from sentinel.passwords.formats import Wrapped, dummy_argon2, format_peppered, format_wrap
from sentinel.passwords.identify import Direct, Unusable, classify
from sentinel.passwords.legacy import PLAINTEXT

ARGON2_CURRENT = "argon2-current"
ARGON2_OUTDATED = "argon2-outdated"
ARGON2_DJANGO = "argon2-django"
WRAPPED = "wrapped"
UNUSABLE = "unusable"
PLAINTEXT_CATEGORY = "plaintext"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"
MISSING_SALT = "missing-salt"
EMPTY = "empty"
LEGACY_PREFIX = "legacy:"
POSTGRES_MD5_SCHEME = "postgres-md5"

#: Categories that are fine as they are (nothing to do now).
SETTLED = frozenset({ARGON2_CURRENT, ARGON2_OUTDATED, ARGON2_DJANGO, WRAPPED, UNUSABLE})
#: Categories a migration cannot handle: they make the exit code 1.
UNRECOGNISED = frozenset({AMBIGUOUS, UNKNOWN, MISSING_SALT})

_LABELS = {
    ARGON2_CURRENT: "argon2, current parameters",
    ARGON2_OUTDATED: "argon2, outdated parameters (rehashed at next login)",
    ARGON2_DJANGO: "argon2, Django's argon2$ spelling (rehashed at next login)",
    WRAPPED: "already wrapped",
    UNUSABLE: "unusable password (Django '!'), left alone",
    PLAINTEXT_CATEGORY: "PLAINTEXT (declared)",
    AMBIGUOUS: "ambiguous bare hex (declare or fix --recipe)",
    UNKNOWN: "unknown format",
    MISSING_SALT: "salt or username column is NULL",
    EMPTY: "empty or NULL",
}
_PG_MD5 = re.compile(r"md5([0-9a-f]{32})")


def label(category: str) -> str:
    """A human label for a histogram line."""
    if category.startswith(LEGACY_PREFIX):
        return f"legacy: {category[len(LEGACY_PREFIX) :]}"
    return _LABELS.get(category, category)


def is_wrappable(category: str) -> bool:
    return category.startswith(LEGACY_PREFIX) or category == PLAINTEXT_CATEGORY


@dataclass(frozen=True, kw_only=True, repr=False)
class Verdict:
    """One row's category and, when wrappable, what to hand ``PasswordHasher.wrap``. ``repr`` hides
    the values: they are hashes (or, in a plaintext column, passwords)."""

    category: str
    stored: str = ""
    salt: str | bytes | None = None
    wrapped_length: int = 0
    #: The wrap depends on the salt column's value (bare hex, salt in its own column).
    uses_salt_column: bool = False
    #: The wrap depends on the username column's value (PostgreSQL md5).
    uses_username: bool = False

    def __repr__(self) -> str:
        return f"Verdict(category={self.category!r}, wrapped_length={self.wrapped_length})"


def argon2_length(profile: Argon2Profile) -> int:
    """Length of an argon2-cffi encoded hash made with ``profile`` (unpadded base64 salt and tag)."""
    return len(dummy_argon2(profile.parameters()))


class Classifier:
    """Classifies rows the way ``hasher`` (the target profile, pepper and declarations) sees them."""

    def __init__(self, fmt: ColumnFormat, hasher: PasswordHasher) -> None:
        self.fmt = fmt
        self.hasher = hasher
        self.kid = hasher.pepper.current_kid if hasher.pepper else None
        #: An argon2 encoding exactly as long as the profile's: wraps are measured with it, exactly.
        self._inner = dummy_argon2(hasher.profile.parameters())

    def classify(self, value: str | None, salt: str | bytes | None, username: str | None) -> Verdict:
        if value is None or value == "":
            return Verdict(category=EMPTY)
        recipe, stored, use_salt, pg_md5 = self.fmt.hex_recipe, value, salt, False
        if self.fmt.postgres_md5:
            # Only "md5" + 32 hex is a role password; a bare hex value stays ambiguous.
            match = _PG_MD5.fullmatch(value)
            pg_md5 = match is not None
            stored, use_salt = (match[1], username) if match else (value, None)
            recipe = recipe if match else None
        try:
            parsed = classify(
                stored,
                hex_recipe=recipe,
                plaintext=self.fmt.plaintext,
                salt=use_salt,
                flask_bcrypt_long_passwords=self.fmt.flask_bcrypt_long_passwords,
            )
        except MissingSalt:
            return Verdict(category=MISSING_SALT)
        except AmbiguousHash:
            return Verdict(category=AMBIGUOUS)
        except UnknownHashFormat:
            return Verdict(category=UNKNOWN)
        if isinstance(parsed, Unusable):
            return Verdict(category=UNUSABLE)
        if isinstance(parsed, Direct):
            if parsed.foreign:
                return Verdict(category=ARGON2_DJANGO)
            return Verdict(category=ARGON2_OUTDATED if self.hasher.needs_update(value) else ARGON2_CURRENT)
        if isinstance(parsed, Wrapped):
            return Verdict(category=WRAPPED)
        if parsed.scheme is PLAINTEXT:
            inner = self._inner if self.kid is None else format_peppered(self.kid, self._inner)
            return Verdict(category=PLAINTEXT_CATEGORY, stored=stored, salt=None, wrapped_length=len(inner))
        name = POSTGRES_MD5_SCHEME if pg_md5 else parsed.scheme.name
        length = len(format_wrap(parsed.scheme, parsed.params, self.kid, self._inner))
        column_salt = not pg_md5 and self.fmt.reads_salt_column and parsed.scheme.name == "hex"
        return Verdict(
            category=LEGACY_PREFIX + name,
            stored=stored,
            salt=use_salt if (pg_md5 or column_salt) else None,
            wrapped_length=length,
            uses_salt_column=column_salt,
            uses_username=pg_md5,
        )


__all__ = [
    "AMBIGUOUS",
    "ARGON2_CURRENT",
    "ARGON2_DJANGO",
    "ARGON2_OUTDATED",
    "EMPTY",
    "LEGACY_PREFIX",
    "MISSING_SALT",
    "PLAINTEXT_CATEGORY",
    "POSTGRES_MD5_SCHEME",
    "SETTLED",
    "UNKNOWN",
    "UNRECOGNISED",
    "UNUSABLE",
    "WRAPPED",
    "Classifier",
    "Verdict",
    "argon2_length",
    "is_wrappable",
    "label",
]
