"""Bare hex digests, under an operator-declared :class:`HexRecipe` (formula + where the salt lives).

Where the salt lives is the ``layout``, one of::

    "{digest}"            the column holds only the hex digest; a salt, if the formula uses one, comes
                          from a separate column, passed as ``salt=`` to verify/wrap
    "{salt}SEP{digest}"   salt first, then the separator, then the digest      e.g. "{salt}${digest}"
    "{digest}SEP{salt}"   digest first                                         e.g. "{digest}:{salt}"

``SEP`` is 0 to 4 printable ASCII characters that are not hex digits (so the split is unambiguous);
with an empty ``SEP`` the digest's known length tells where it starts ("{salt}{digest}"). The hex is
case-insensitive. The salt text is used as its UTF-8 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sentinel.errors import ConfigurationError
from sentinel.passwords.errors import UnknownHashFormat
from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash
from sentinel.passwords.legacy.recipe import Call, parse_formula

MAX_SALT_BYTES = 128
_LAYOUT = re.compile(
    r"(?:\{salt\}(?P<sep_before>[^{}]{0,4})\{digest\}|\{digest\}(?P<sep_after>[^{}]{0,4})\{salt\}|\{digest\})"
)
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True, kw_only=True)
class HexRecipe:
    """How a legacy app made its bare hex digests. Validated at construction (``ConfigurationError``).

    >>> HexRecipe(formula="sha1(salt + password)", layout="{digest}:{salt}").canonical
    'sha1(salt+password)'
    """

    formula: str
    layout: str = "{digest}"
    call: Call = field(init=False, repr=False, compare=False)
    #: Where the salt comes from: ``"none"``, ``"column"`` (``salt=`` argument), ``"prefix"``, ``"suffix"``.
    salt_source: str = field(init=False, compare=False)
    separator: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        call = parse_formula(self.formula)
        match = _LAYOUT.fullmatch(self.layout) if isinstance(self.layout, str) else None
        if match is None:
            raise ConfigurationError(
                ["layout must be '{digest}', '{salt}SEP{digest}' or '{digest}SEP{salt}' (SEP: 0-4 chars)"]
            )
        separator = match["sep_before"] or match["sep_after"] or ""
        in_stored = match["sep_before"] is not None or match["sep_after"] is not None
        source = "prefix" if match["sep_before"] is not None else "suffix" if in_stored else "column"
        problems = []
        if any(ch in _HEX or not (ch.isascii() and ch.isprintable()) for ch in separator):
            problems.append("the layout separator must be printable ASCII without hex digits")
        if in_stored and not call.uses("salt"):
            problems.append("the layout has a {salt} but the formula never uses 'salt'")
        if problems:
            raise ConfigurationError(problems)
        object.__setattr__(self, "call", call)
        object.__setattr__(self, "separator", separator)
        object.__setattr__(self, "salt_source", source if call.uses("salt") else "none")

    @property
    def canonical(self) -> str:
        return self.call.canonical()

    def split(self, stored: str) -> tuple[str, str] | None:
        """``(hex digest, salt text)`` per the layout, or ``None`` when ``stored`` does not fit it."""
        size, sep = 2 * self.call.digest_size, self.separator
        if self.salt_source in ("none", "column"):
            digest, salt = stored, ""
        elif self.salt_source == "prefix":
            head = stored[:-size]
            if len(stored) <= size + len(sep) or not head.endswith(sep):
                return None
            digest, salt = stored[-size:], head[: len(head) - len(sep)]
        else:
            rest = stored[size:]
            if len(stored) <= size + len(sep) or not rest.startswith(sep):
                return None
            digest, salt = stored[:size], rest[len(sep) :]
        if len(digest) != size or not all(ch in _HEX for ch in digest):
            return None
        if self.salt_source in ("prefix", "suffix") and not salt:
            return None
        return digest, salt


class HexDigest(LegacyScheme):
    """Bare hex under a recipe. ``parse`` needs the declared recipe; ``checksum`` only the formula
    kept in the params, which is how a wrapped hex hash verifies without any declaration."""

    name = "hex"
    code = "hx"
    label = "bare hex digest (declared recipe)"
    declared = True
    uses = frozenset({"formula", "salt"})

    def __init__(self, recipe: HexRecipe | None = None) -> None:
        self.recipe = recipe

    def parse(self, stored: str) -> ParsedHash | None:
        if self.recipe is None:
            return None
        parts = self.recipe.split(stored)
        if parts is None:
            return None
        digest, salt = parts
        params = LegacyParams(formula=self.recipe.canonical, salt=salt.encode("utf-8"))
        if len(params.salt) > MAX_SALT_BYTES:
            raise self.malformed(f"its salt is longer than {MAX_SALT_BYTES} bytes")
        return ParsedHash(scheme=self, params=params, checksum=bytes.fromhex(digest))

    def checksum(self, password: bytes, params: LegacyParams) -> bytes:
        return parse_formula(params.formula).digest(password, params.salt)

    def check_params(self, params: LegacyParams) -> None:
        try:
            parse_formula(params.formula)
        except ConfigurationError as exc:
            raise UnknownHashFormat(f"a wrapped hex hash carries an invalid formula: {exc}") from None
        if len(params.salt) > MAX_SALT_BYTES or params.cost or params.hash_name:
            raise self.malformed("its parameters are out of bounds")


__all__ = ["MAX_SALT_BYTES", "HexDigest", "HexRecipe"]
