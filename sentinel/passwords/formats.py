"""Sentinel's stored formats: direct argon2, the pepper envelope, and the wrapped legacy envelope.

All three are ``$``-separated, begin with a prefix no other scheme uses, and parse strictly: a value
is accepted only if formatting the parsed result gives back the identical string, so every stored
value has exactly one reading::

    $argon2id$v=19$m=65536,t=3,p=4$<salt>$<tag>                         direct (argon2-cffi's encoding)
    $sentinel-pepper$v=1$kid=<kid>$argon2id$v=19$m=...$<salt>$<tag>     argon2 over HMAC(pepper, password)
    $sentinel-wrap$v=1$<scheme>$<params>$argon2id$v=19$m=...$<salt>$<tag>
                                                   argon2 over the legacy checksum (peppered if kid=)

``<params>`` is a comma-separated list, in this order, of the keys a scheme needs:
``h=`` hash function name, ``c=`` cost integers joined by ``.``, the salt as ``t=`` (its text, when it
is 1-128 characters of ``[A-Za-z0-9./_-]``, as crypt-style salts are) or else ``s=`` (unpadded
base64url of its bytes), ``f=`` a ``HexRecipe`` formula, ``kid=`` the pepper key id. No value can
contain ``$``, ``,`` or ``=``, so the split is unambiguous; the argon2 part is everything after the
fifth ``$``.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError

from sentinel.passwords.errors import UnknownHashFormat
from sentinel.passwords.legacy.base import LegacyParams

PEPPER_PREFIX = "$sentinel-pepper$"
WRAP_PREFIX = "$sentinel-wrap$"
SENTINEL_PREFIX = "$sentinel-"
FORMAT_VERSION = "v=1"
#: The column size every stored value must fit (VARCHAR(255)); ``wrap`` refuses to exceed it.
MAX_STORED_LENGTH = 255

_NUM = r"(?:0|[1-9][0-9]{0,9})"
_POSITIVE = r"[1-9][0-9]{0,9}"
_ARGON2 = re.compile(
    rf"\$argon2(?:id|i|d)\$(?:v=(?:16|19)\$)?m={_POSITIVE},t={_POSITIVE},p={_POSITIVE}"
    r"\$[A-Za-z0-9+/]{11,88}\$[A-Za-z0-9+/]{6,88}"
)
_KID = re.compile(r"[0-9a-f]{8}")
_SCHEME_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_PARAM_VALUE = {
    "h": re.compile(r"[a-z0-9]{1,16}"),
    "c": re.compile(rf"{_NUM}(?:\.{_NUM}){{0,2}}"),
    "t": re.compile(r"[A-Za-z0-9./_-]{1,128}"),
    "s": re.compile(r"[A-Za-z0-9_-]{1,344}"),
    "f": re.compile(r"[a-z0-9()+]{1,120}"),
    "kid": _KID,
}
_TEXT_SALT = re.compile(rb"[A-Za-z0-9./_-]{1,128}")


def is_argon2(stored: str) -> bool:
    """Strictly an argon2 encoded hash that argon2-cffi can read."""
    if _ARGON2.fullmatch(stored) is None:
        return False
    try:
        argon2.extract_parameters(stored)
    except (InvalidHashError, ValueError):
        return False
    return True


def argon2_parameters(stored: str) -> argon2.Parameters:
    return argon2.extract_parameters(stored)


@dataclass(frozen=True, kw_only=True)
class Peppered:
    kid: str
    inner: str


@dataclass(frozen=True, kw_only=True)
class Wrapped:
    scheme_name: str
    params: LegacyParams
    kid: str | None
    inner: str


def format_peppered(kid: str, inner: str) -> str:
    return f"{PEPPER_PREFIX}{FORMAT_VERSION}$kid={kid}{inner}"


def parse_peppered(stored: str) -> Peppered:
    parts = stored.split("$", 4)
    if len(parts) != 5 or parts[2] != FORMAT_VERSION or not parts[3].startswith("kid="):
        raise UnknownHashFormat("malformed $sentinel-pepper$ value (expected v=1$kid=...$argon2...)")
    kid, inner = parts[3][4:], "$" + parts[4]
    if _KID.fullmatch(kid) is None or not is_argon2(inner) or format_peppered(kid, inner) != stored:
        raise UnknownHashFormat("malformed $sentinel-pepper$ value (bad key id or argon2 part)")
    return Peppered(kid=kid, inner=inner)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def format_params(params: LegacyParams, kid: str | None) -> str:
    fields = []
    if params.hash_name:
        fields.append(f"h={params.hash_name}")
    if params.cost:
        fields.append("c=" + ".".join(str(c) for c in params.cost))
    if params.salt and _TEXT_SALT.fullmatch(params.salt):
        fields.append(f"t={params.salt.decode('ascii')}")
    elif params.salt:
        fields.append(f"s={_b64url(params.salt)}")
    if params.formula:
        fields.append(f"f={params.formula}")
    if kid is not None:
        fields.append(f"kid={kid}")
    return ",".join(fields)


def format_wrapped(scheme_name: str, params: LegacyParams, kid: str | None, inner: str) -> str:
    return f"{WRAP_PREFIX}{FORMAT_VERSION}${scheme_name}${format_params(params, kid)}{inner}"


def _parse_params(text: str) -> tuple[LegacyParams, str | None]:
    values: dict[str, str] = {}
    for item in text.split(",") if text else ():
        key, sep, value = item.partition("=")
        pattern = _PARAM_VALUE.get(key)
        if not sep or pattern is None or key in values or pattern.fullmatch(value) is None:
            raise UnknownHashFormat("malformed $sentinel-wrap$ parameters")
        values[key] = value
    if "t" in values and "s" in values:
        raise UnknownHashFormat("malformed $sentinel-wrap$ parameters (two salts)")
    try:
        salt = base64.urlsafe_b64decode(values["s"] + "=" * (-len(values["s"]) % 4)) if "s" in values else b""
    except (binascii.Error, ValueError):
        raise UnknownHashFormat("malformed $sentinel-wrap$ salt") from None
    salt = values["t"].encode("ascii") if "t" in values else salt
    cost = tuple(int(c) for c in values["c"].split(".")) if "c" in values else ()
    params = LegacyParams(cost=cost, salt=salt, hash_name=values.get("h", ""), formula=values.get("f", ""))
    return params, values.get("kid")


def parse_wrapped(stored: str) -> Wrapped:
    """Parse a wrapped value's envelope (the scheme's own bounds are checked by the caller)."""
    parts = stored.split("$", 5)
    if len(parts) != 6 or parts[2] != FORMAT_VERSION or _SCHEME_NAME.fullmatch(parts[3]) is None:
        raise UnknownHashFormat("malformed $sentinel-wrap$ value (expected v=1$<scheme>$<params>$argon2...)")
    params, kid = _parse_params(parts[4])
    inner = "$" + parts[5]
    wrapped = Wrapped(scheme_name=parts[3], params=params, kid=kid, inner=inner)
    if not is_argon2(inner) or format_wrapped(wrapped.scheme_name, params, kid, inner) != stored:
        raise UnknownHashFormat("malformed $sentinel-wrap$ value (non-canonical or bad argon2 part)")
    return wrapped


__all__ = [
    "FORMAT_VERSION",
    "MAX_STORED_LENGTH",
    "PEPPER_PREFIX",
    "SENTINEL_PREFIX",
    "WRAP_PREFIX",
    "Peppered",
    "Wrapped",
    "argon2_parameters",
    "format_peppered",
    "format_wrapped",
    "is_argon2",
    "parse_peppered",
    "parse_wrapped",
]
