"""Comparing responses: normalised bodies, reflections stripped, a similarity ratio.

A boolean differential asks "does the true twin answer like the baseline, and the false twin not?".
Raw bodies cannot answer that: the payload is often echoed back ("no results for ..."), pages carry
nonces and CSRF tokens that change on every request, and a 1-byte difference in a 50 kB page is
noise. So a response becomes a :class:`Page`: its status, and its body as a token sequence with every
reflection of the payloads (raw, HTML-escaped, URL-encoded, JSON-escaped) replaced by one marker and
every long random-looking token replaced by another. Two pages are compared with a sequence ratio;
pages with different statuses are simply different.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from scanner.http.exchange import Exchange

#: Tokens beyond this many are not compared (the ratio is quadratic in the worst case).
MAX_TOKENS = 3000
_TOKEN = re.compile(r"\w+|[^\w\s]")
#: Hex IDs, base64/URL-safe nonces, CSRF tokens, timestamps with milliseconds.
_VOLATILE = re.compile(r"\b[0-9a-fA-F]{16,}\b|[A-Za-z0-9_\-+/]{24,}={0,2}|\b\d{10,}\b")
#: One-token markers (a reflection or a volatile value costs one token in a comparison, not three).
_REFLECTION = " zzreflectionzz "
_VOLATILE_MARK = " zzvolatilezz "
_MIN_REFLECTION = 3


def reflection_forms(payload: str) -> set[str]:
    """How ``payload`` may come back in a body: as sent, escaped for HTML, URLs or JSON."""
    forms = {
        payload,
        html.escape(payload),
        html.escape(payload, quote=False),
        payload.replace("'", "&#39;").replace('"', "&#34;").replace("<", "&lt;").replace(">", "&gt;"),
        quote(payload, safe=""),
        quote_plus(payload),
        json.dumps(payload)[1:-1],
        json.dumps(payload, ensure_ascii=False)[1:-1],
    }
    return {form for form in forms if len(form) >= _MIN_REFLECTION}


def searchable(text: str) -> str:
    """``text`` with HTML entities and JSON string escapes undone, for signature and canary search."""
    unescaped = html.unescape(text)
    return unescaped.replace('\\"', '"').replace("\\'", "'").replace("\\/", "/").replace("\\n", "\n")


@dataclass(frozen=True, kw_only=True)
class Page:
    """A response reduced to what a differential compares."""

    status: int
    location: str | None
    tokens: tuple[str, ...]


def page(exchange: Exchange, payloads: Iterable[str] = ()) -> Page:
    """``exchange`` as a :class:`Page`, with every reflection of ``payloads`` masked."""
    text = exchange.text
    forms = sorted({f for p in payloads if p for f in reflection_forms(p)}, key=len, reverse=True)
    for form in forms:
        # Case-insensitively: an app that upper-cases what it echoes still echoes it.
        text = re.sub(re.escape(form), _REFLECTION, text, flags=re.I)
    text = _VOLATILE.sub(_VOLATILE_MARK, text)
    tokens = tuple(_TOKEN.findall(text))[:MAX_TOKENS]
    return Page(status=exchange.status, location=exchange.location, tokens=tokens)


def similarity(a: Page, b: Page) -> float:
    """1.0 for the same page, 0.0 for different statuses or redirect targets; a ratio in between."""
    if a.status != b.status or a.location != b.location:
        return 0.0
    if a.tokens == b.tokens:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a.tokens, b.tokens, autojunk=False)
    if matcher.real_quick_ratio() < 0.5:
        return matcher.real_quick_ratio()
    return matcher.ratio()


__all__ = ["MAX_TOKENS", "Page", "page", "reflection_forms", "searchable", "similarity"]
