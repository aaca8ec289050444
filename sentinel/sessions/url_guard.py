"""Find, and optionally strip, session IDs carried in URLs.

Session IDs in URLs leak through Referer headers, logs, bookmarks and shared links (the seed's
marketing e-mail that went out carrying a marketer's session). Sentinel never *reads* an ID from a
URL; this module finds requests that *carry* one, so the middleware can refuse them (default) or strip
the parameter before the app, its logs or its redirects can echo it.

Matched: query parameters and ``;name=value`` path parameters whose name, percent-decoded and
lower-cased, is a session-like name.
"""

from __future__ import annotations

from urllib.parse import unquote, unquote_to_bytes

from sentinel.types import Scope


def _name(raw: bytes) -> str:
    return unquote_to_bytes(raw.split(b"=", 1)[0]).decode("latin-1").strip().lower()


def _query_parts(query: bytes) -> list[bytes]:
    return [part for chunk in query.split(b"&") for part in chunk.split(b";") if part]


def _path_param_names(path: str) -> list[str]:
    names = []
    for segment in path.split("/"):
        if ";" in segment:
            for param in segment.split(";")[1:]:
                names.append(param.split("=", 1)[0].strip().lower())
    return names


def find_session_params(scope: Scope, names: frozenset[str]) -> list[str]:
    """The session-like parameter names in this request's URL (empty for the common case)."""
    found: list[str] = []
    query: bytes = scope.get("query_string", b"")
    if query:
        found.extend(n for n in map(_name, _query_parts(query)) if n in names)
    path: str = scope.get("path", "")
    if ";" in path:
        found.extend(n for n in _path_param_names(path) if n in names)
    return found


def _strip_path(path: str, names: frozenset[str]) -> str:
    segments = []
    for segment in path.split("/"):
        if ";" in segment:
            head, *params = segment.split(";")
            kept = [p for p in params if p.split("=", 1)[0].strip().lower() not in names]
            segment = ";".join([head, *kept])
        segments.append(segment)
    return "/".join(segments)


def strip_session_params(scope: Scope, names: frozenset[str]) -> bool:
    """Remove session-like parameters from the scope's query string and path, in place.

    Only whole ``&``-separated parameters are dropped and the rest is kept byte for byte, as
    Starlette splits queries on ``&`` alone: re-joining ``;``-separated pieces would smuggle new
    parameters into the app. Returns ``False`` when a session-like name survives inside a value
    (``?q=a;sid=...``), which the caller must refuse rather than pass on.
    """
    query: bytes = scope.get("query_string", b"")
    if query:
        kept = [p for p in query.split(b"&") if _name(p) not in names]
        scope["query_string"] = b"&".join(kept)
    path: str = scope.get("path", "")
    if ";" in path:
        scope["path"] = _strip_path(path, names)
        raw = scope.get("raw_path")
        if raw is not None:
            # Rebuild raw_path from the stripped decoded path only when the raw one carried the
            # parameter too; percent-encoded variants are normalised by the decode above.
            raw_text = unquote(raw.decode("latin-1"))
            if raw_text != scope["path"]:
                scope["raw_path"] = scope["path"].encode("utf-8")
    return not find_session_params(scope, names)


__all__ = ["find_session_params", "strip_session_params"]
