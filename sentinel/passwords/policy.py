"""Password choice rules after NIST SP 800-63B-4: length and a blocklist, no composition rules.

* Length counts Unicode code points after NFKC normalisation: what the user perceives as characters
  (an "é" typed as "e" plus a combining accent is one), and exactly what gets hashed, so the policy
  and the hash agree. At least 8 (15 where the password is the only factor:
  :data:`SINGLE_FACTOR_POLICY`); at most ``max_length`` (64 or more, as NIST requires), and never more
  than ``MAX_PASSWORD_BYTES`` of UTF-8, which bounds hashing cost. Nothing is ever truncated.
* No "one digit, one symbol" rules: they make passwords harder to remember, not to guess.
* Refused: passwords on the bundled blocklist of common ones (compared case-insensitively), passwords
  containing a context word (the user name, the service name: pass them as ``context``), and
  repetitive or sequential strings ("aaaaaaaa", "12345678", "hgfedcba").

:meth:`PasswordPolicy.check` reports *every* problem at once, so a form can show them together.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

from sentinel.errors import ConfigurationError
from sentinel.passwords.encoding import MAX_PASSWORD_BYTES, normalize

NIST_MIN_LENGTH = 8
NIST_SINGLE_FACTOR_MIN_LENGTH = 15
NIST_MIN_MAX_LENGTH = 64
#: Context words shorter than this are ignored ("al" would refuse half of all passwords).
MIN_CONTEXT_WORD = 4


class Violation(enum.StrEnum):
    """Stable codes for each rule, for translations and APIs."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    INVALID_UNICODE = "invalid_unicode"
    BLOCKLISTED = "blocklisted"
    CONTEXT_WORD = "context_word"
    REPETITIVE = "repetitive"


@dataclass(frozen=True, kw_only=True)
class PolicyProblem:
    code: Violation
    message: str


@dataclass(frozen=True, kw_only=True, repr=False)
class PolicyResult:
    """The outcome of one check. ``length`` is in code points after NFKC. ``repr`` holds no password."""

    length: int
    problems: tuple[PolicyProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> frozenset[Violation]:
        return frozenset(p.code for p in self.problems)

    def __repr__(self) -> str:
        return f"PolicyResult(ok={self.ok}, length={self.length}, codes={sorted(self.codes)})"


@functools.cache
def bundled_blocklist() -> frozenset[str]:
    """The bundled list (loaded on first use, about 4000 entries; provenance in the file header)."""
    text = resources.files("sentinel.passwords").joinpath("data/blocklist.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


@dataclass(frozen=True, kw_only=True)
class PasswordPolicy:
    """Rules for choosing a password. Validated at construction; NIST's floors cannot be lowered."""

    min_length: int = NIST_MIN_LENGTH
    max_length: int = 256
    use_bundled_blocklist: bool = True
    #: Extra refused passwords (e.g. your own breach corpus, your product's name), any case.
    extra_blocklist: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        problems = []
        if self.min_length < NIST_MIN_LENGTH:
            problems.append(f"min_length must be at least {NIST_MIN_LENGTH} (NIST SP 800-63B-4)")
        if self.max_length < max(NIST_MIN_MAX_LENGTH, self.min_length):
            problems.append(f"max_length must be at least {NIST_MIN_MAX_LENGTH} and at least min_length")
        if self.max_length > MAX_PASSWORD_BYTES:
            problems.append(f"max_length above {MAX_PASSWORD_BYTES} cannot be met: the byte cap is lower")
        if problems:
            raise ConfigurationError(problems)
        object.__setattr__(self, "extra_blocklist", frozenset(_fold(w) for w in self.extra_blocklist))

    def check(self, password: str, *, context: Iterable[str] = ()) -> PolicyResult:
        """Every problem with ``password`` as a *new* password; ``context``: user name, e-mail, service."""
        if len(password) > MAX_PASSWORD_BYTES:  # refuse before normalising an arbitrarily long string
            too_long = _problem(Violation.TOO_LONG, f"Use at most {self.max_length} characters.")
            return PolicyResult(length=len(password), problems=(too_long,))
        text = normalize(password)
        length = len(text)
        problems: list[PolicyProblem] = []
        if length < self.min_length:
            problems.append(_problem(Violation.TOO_SHORT, f"Use at least {self.min_length} characters."))
        try:
            too_many_bytes = len(text.encode("utf-8")) > MAX_PASSWORD_BYTES
        except UnicodeEncodeError:
            problems.append(_problem(Violation.INVALID_UNICODE, "The password contains invalid characters."))
            too_many_bytes = False
        if length > self.max_length or too_many_bytes:
            problems.append(_problem(Violation.TOO_LONG, f"Use at most {self.max_length} characters."))
        folded = _fold(text)
        if (self.use_bundled_blocklist and folded in bundled_blocklist()) or folded in self.extra_blocklist:
            problems.append(_problem(Violation.BLOCKLISTED, "This password is too common; choose another."))
        words = _context_words(context)
        if any(word in folded for word in words):
            problems.append(
                _problem(Violation.CONTEXT_WORD, "Do not use your user name or the service name in it.")
            )
        if _repetitive(folded):
            problems.append(_problem(Violation.REPETITIVE, "Avoid repeated or sequential characters."))
        return PolicyResult(length=length, problems=tuple(problems))


def _problem(code: Violation, message: str) -> PolicyProblem:
    return PolicyProblem(code=code, message=message)


def _fold(text: str) -> str:
    return normalize(text).casefold()


def _context_words(context: Iterable[str]) -> set[str]:
    words = set()
    for item in context:
        folded = _fold(item)
        if len(folded) >= MIN_CONTEXT_WORD:
            words.add(folded)
        words.update(w for w in re.split(r"[\W_]+", folded) if len(w) >= MIN_CONTEXT_WORD)
    return words


def _repetitive(text: str) -> bool:
    """One repeated character, or a run of code points each one more (or less) than the last."""
    if len(text) < 2:
        return False
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


DEFAULT_POLICY = PasswordPolicy()
#: NIST's 15-character minimum for a password that is the only authentication factor.
SINGLE_FACTOR_POLICY = PasswordPolicy(min_length=NIST_SINGLE_FACTOR_MIN_LENGTH)

__all__ = [
    "DEFAULT_POLICY",
    "SINGLE_FACTOR_POLICY",
    "PasswordPolicy",
    "PolicyProblem",
    "PolicyResult",
    "Violation",
    "bundled_blocklist",
]
