"""What discovery never follows: off-scope URLs, static assets, and routes that end or destroy things.

A crawler that follows "log out" ends its own session mid-scan; one that follows "delete" destroys
data on the target; one that submits "change password" locks the scan (and the user) out. All are
matched on the path, the query and the link text.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_STATIC = (
    "css js mjs map png jpg jpeg gif svg ico webp avif bmp woff woff2 ttf otf eot pdf zip gz tgz bz2 xz 7z "
    "rar mp3 mp4 m4a webm ogg wav avi mov wasm txt xml csv doc docx xls xlsx ppt pptx"
)
STATIC_EXTENSIONS = frozenset("." + ext for ext in _STATIC.split(" "))
_DANGEROUS = re.compile(
    r"log[-_ ]?out|log[-_ ]?off|sign[-_ ]?out|sign[-_ ]?off|delete|remove|destroy|erase|purge|"
    r"unsubscribe|deactivate|terminate|revoke|reset|"
    r"change[-_ ]?pass|pass(?:word|wd)?[-_ ]?(?:change|update|new)|new[-_ ]?pass",
    re.I,
)
_LOGOUT = re.compile(r"log[-_ ]?out|log[-_ ]?off|sign[-_ ]?out|sign[-_ ]?off", re.I)


def is_static(url: str) -> bool:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:] in STATIC_EXTENSIONS


def is_dangerous(url: str, text: str = "") -> bool:
    """Looks like logout, sign-out, delete or similar: never requested by the crawler."""
    parts = urlsplit(url)
    return bool(_DANGEROUS.search(unquote(parts.path + "?" + parts.query)) or _DANGEROUS.search(text))


def is_logout(url: str, text: str = "") -> bool:
    return bool(_LOGOUT.search(unquote(urlsplit(url).path)) or _LOGOUT.search(text))


__all__ = ["STATIC_EXTENSIONS", "is_dangerous", "is_logout", "is_static"]
