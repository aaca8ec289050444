"""Fresh random canaries: every probe carries values the target has never seen before.

A canary made of consonants only can never spell a keyword (``or``, ``and``, ``like``, ``drop``) in
any of the languages the payloads speak, nor a word the target might print on its own; it is long
enough that finding it in a response is never a coincidence. Numbers are drawn from ranges that keep
true/false twins the same length, so a response that depends on the input's length cannot tell them
apart.
"""

from __future__ import annotations

import secrets

#: Lower-case consonants without ``l`` (looks like ``1``): no vowel, so no word and no keyword.
ALPHABET = "bcdfghjkmnpqrstvwxz"
TOKEN_LENGTH = 7


def token(length: int = TOKEN_LENGTH) -> str:
    """A random lower-case consonant string, e.g. ``qzkvbtr``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def tokens(count: int, length: int = TOKEN_LENGTH) -> tuple[str, ...]:
    """``count`` distinct tokens."""
    found: list[str] = []
    while len(found) < count:
        candidate = token(length)
        if candidate not in found:
            found.append(candidate)
    return tuple(found)


def number(low: int, high: int) -> int:
    """A random integer in ``[low, high]``."""
    return low + secrets.randbelow(high - low + 1)


def distinct_numbers(low: int, high: int) -> tuple[int, int]:
    """Two different random integers in ``[low, high]`` (a true/false twin: ``n=n`` against ``n=m``)."""
    first = number(low, high)
    second = number(low, high - 1)
    return first, second + 1 if second >= first else second


__all__ = ["ALPHABET", "TOKEN_LENGTH", "distinct_numbers", "number", "token", "tokens"]
