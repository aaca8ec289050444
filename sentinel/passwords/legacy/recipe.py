"""A tiny, parsed (never evaluated) language for how a legacy app built a bare hex digest.

A bare hex string says nothing about how it was made: md5 or sha1 of the password alone, of salt then
password, of an inner digest... Guessing would mean trying recipes until one matches, which multiplies
an attacker's chances and hides mistakes. So the operator *declares* the recipe::

    formula := call
    call    := HASH "(" term ( "+" term )* ")"
    term    := "password" | "salt" | call
    HASH    := md5 | sha1 | sha224 | sha256 | sha384 | sha512

``+`` concatenates bytes. An inner call contributes its digest as *lowercase hex text* (what PHP's
``md5()`` and Python's ``hexdigest()`` return), so ``md5(md5(password)+salt)`` is vBulletin's recipe.
The outermost call's digest is what the stored hex encodes. The password is its raw UTF-8 bytes, the salt
its UTF-8 bytes (or raw bytes, when given as ``bytes``). Whitespace is ignored.

There are deliberately no string literals: a constant "site salt" is a pepper, and writing it into the
recipe would copy it into every wrapped row. Formulas are bounded (length, depth, terms) because a
wrapped hash carries its formula and is parsed again at verification.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from sentinel.errors import ConfigurationError

HASHES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
MAX_FORMULA_CHARS = 120
MAX_DEPTH = 3
MAX_TERMS = 8
_TOKEN = re.compile(r"\s*(?:(?P<word>[a-z0-9]+)|(?P<punct>[()+]))")


@dataclass(frozen=True)
class Call:
    """``hash_name(term + term ...)``; each term is ``"password"``, ``"salt"`` or a nested ``Call``."""

    hash_name: str
    terms: tuple[str | Call, ...]

    def canonical(self) -> str:
        inner = "+".join(t if isinstance(t, str) else t.canonical() for t in self.terms)
        return f"{self.hash_name}({inner})"

    def uses(self, name: str) -> bool:
        return any(t == name if isinstance(t, str) else t.uses(name) for t in self.terms)

    def depth(self) -> int:
        return 1 + max((t.depth() for t in self.terms if isinstance(t, Call)), default=0)

    def digest(self, password: bytes, salt: bytes) -> bytes:
        data = bytearray()
        for term in self.terms:
            if isinstance(term, Call):
                data += term.digest(password, salt).hex().encode("ascii")
            else:
                data += password if term == "password" else salt
        return hashlib.new(self.hash_name, bytes(data), usedforsecurity=False).digest()

    @property
    def digest_size(self) -> int:
        return hashlib.new(self.hash_name, usedforsecurity=False).digest_size


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.terms = 0

    @staticmethod
    def _tokenize(text: str) -> list[str]:
        tokens, pos = [], 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise ConfigurationError([f"recipe formula: unexpected character at position {pos}"])
            tokens.append(match["word"] or match["punct"])
            pos = match.end()
        return tokens

    def _next(self) -> str:
        if self.pos >= len(self.tokens):
            raise ConfigurationError(["recipe formula: ends too early (unbalanced parentheses?)"])
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _expect(self, token: str) -> None:
        got = self._next()
        if got != token:
            raise ConfigurationError([f"recipe formula: expected {token!r}, found {got!r}"])

    def call(self, depth: int) -> Call:
        name = self._next()
        if name not in HASHES:
            raise ConfigurationError([f"recipe formula: {name!r} is not one of {', '.join(HASHES)}"])
        if depth > MAX_DEPTH:
            raise ConfigurationError([f"recipe formula: nested deeper than {MAX_DEPTH} calls"])
        self._expect("(")
        terms = [self.term(depth)]
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "+":
            self.pos += 1
            terms.append(self.term(depth))
        self._expect(")")
        return Call(name, tuple(terms))

    def term(self, depth: int) -> str | Call:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise ConfigurationError([f"recipe formula: more than {MAX_TERMS} terms"])
        token = self.tokens[self.pos] if self.pos < len(self.tokens) else ""
        if token in ("password", "salt"):
            self.pos += 1
            return token
        return self.call(depth + 1)


@functools.lru_cache(maxsize=64)
def parse_formula(text: str) -> Call:
    """Parse and validate a formula; raise ``ConfigurationError`` naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigurationError(["recipe formula is empty: e.g. 'sha1(salt+password)'"])
    if len(text) > MAX_FORMULA_CHARS:
        raise ConfigurationError([f"recipe formula is longer than {MAX_FORMULA_CHARS} characters"])
    parser = _Parser(text)
    call = parser.call(1)
    if parser.pos != len(parser.tokens):
        raise ConfigurationError(["recipe formula: unexpected text after the outermost call"])
    if not call.uses("password"):
        raise ConfigurationError(["recipe formula never uses 'password'"])
    return call


__all__ = ["HASHES", "MAX_DEPTH", "MAX_FORMULA_CHARS", "MAX_TERMS", "Call", "parse_formula"]
