"""Find the token field in a form body, without a form library and without surprises.

Only two encodings can carry a browser form post: ``application/x-www-form-urlencoded`` and
``multipart/form-data``. Each finder looks for the first field with the token's name and returns
its value if it is ASCII, else ``None``. They never raise on hostile input (the hypothesis tests
feed them random bytes); a body they cannot read simply has no token.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
_BOUNDARY = re.compile(r"""boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))""", re.IGNORECASE)
_DISPOSITION_NAME = re.compile(rb"""(?:^|;)\s*name="([^"]*)"|(?:^|;)\s*name=([^\s;"]+)""", re.IGNORECASE)
_FILENAME = re.compile(rb"(?:^|;)\s*filename\*?=", re.IGNORECASE)
_MAX_TOKEN = 256


def parse_content_type(value: str) -> tuple[str, str]:
    """``(media type lower-cased, parameters)``."""
    media, _, params = value.partition(";")
    return media.strip().lower(), params


def _ascii(raw: bytes) -> str | None:
    if not raw or len(raw) > _MAX_TOKEN:
        return None
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return None


def token_from_urlencoded(body: bytes, field: str) -> str | None:
    wanted = field.encode()
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        if unquote_to_bytes(name.replace(b"+", b" ")) == wanted:
            return _ascii(unquote_to_bytes(value.replace(b"+", b" ")))
    return None


def multipart_boundary(params: str) -> bytes | None:
    match = _BOUNDARY.search(params)
    if match is None:
        return None
    return (match.group(1) or match.group(2)).encode("latin-1")


def _field_name(head: bytes) -> bytes | None:
    """The ``name`` of a part that is a plain field (no ``filename``), else ``None``."""
    for line in head.split(b"\r\n"):
        header, _, value = line.partition(b":")
        if header.strip().lower() != b"content-disposition":
            continue
        kind, _, params = value.strip().partition(b";")
        if kind.strip().lower() != b"form-data" or _FILENAME.search(params):
            return None
        match = _DISPOSITION_NAME.search(params)
        return None if match is None else (match.group(1) or match.group(2))
    return None


def token_from_multipart(body: bytes, boundary: bytes, field: str) -> str | None:
    wanted = field.encode()
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        head, sep, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if sep and _field_name(head) == wanted:
            return _ascii(content.removesuffix(b"\r\n"))
    return None


def token_from_form(body: bytes, content_type: str, field: str) -> str | None:
    media, params = parse_content_type(content_type)
    if media == URLENCODED:
        return token_from_urlencoded(body, field)
    if media == MULTIPART:
        boundary = multipart_boundary(params)
        return None if boundary is None else token_from_multipart(body, boundary, field)
    return None


__all__ = [
    "MULTIPART",
    "URLENCODED",
    "multipart_boundary",
    "parse_content_type",
    "token_from_form",
    "token_from_multipart",
    "token_from_urlencoded",
]
