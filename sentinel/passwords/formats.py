"""Sentinel's stored formats: direct argon2, the pepper envelope, and the wrapped legacy envelope.

All three are ``$``-separated, begin with a prefix no other scheme uses, and parse strictly: a value
is accepted only if formatting the parsed result gives back the identical string, so every stored
value has exactly one reading::

    $argon2id$v=19$m=65536,t=3,p=4$<salt>$<tag>                         direct (argon2-cffi's encoding)
    $sentinel-pepper$v=1$kid=<kid>$argon2id$v=19$m=...$<salt>$<tag>     argon2 over HMAC(pepper, password)
    $sentinel-wrap$v=1$<scheme>$<params>$argon2id$v=19$m=...$<salt>$<tag>
                                                   argon2 over the legacy checksum (peppered if kid=)

Compact wraps (``$sw2$``, written since the issue-17 release) carry the same information in at most
128 characters for the schemes frameworks write, so Django's ``auth_user.password`` VARCHAR(128) holds
them without a schema change::

    $sw2$<code>$<field>...$<kid>$<m>.<t>.<p>$<base64url(argon2 salt(16) + argon2 tag)>

``<code>`` is the legacy scheme's short stable code; the fields that follow are exactly the ones that
scheme uses, in the order hash name, cost (integers joined by ``.``), salt (its text when it is 1-128
characters of ``[A-Za-z0-9./_-]``, else ``~`` + unpadded base64url of its bytes), formula; then the
pepper key id (empty: no pepper); then argon2id version 19's memory, time and lanes; then the argon2
salt and tag as one unpadded base64url string (the salt is always 16 bytes). Nothing is dropped: the
argon2 salt and tag keep their full size (128 and 256 bits with the shipped profiles). Only the
spelling is shorter. Version 1 values keep verifying forever.

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
from sentinel.passwords.legacy import BY_CODE
from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme

PEPPER_PREFIX = "$sentinel-pepper$"
WRAP_PREFIX = "$sentinel-wrap$"
COMPACT_PREFIX = "$sw2$"
#: The argon2 salt size a compact wrap always carries.
COMPACT_SALT_BYTES = 16
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
_COMPACT_FIELD = {
    "hash_name": re.compile(r"[a-z0-9]{1,16}"),
    "cost": re.compile(rf"(?:{_NUM}(?:\.{_NUM}){{0,2}})?"),
    "salt": re.compile(r"(?:[A-Za-z0-9./_-]{1,128}|~[A-Za-z0-9_-]{1,344})?"),
    "formula": re.compile(r"[a-z0-9()+]{1,120}"),
}
#: The order in which a compact wrap lists a scheme's fields.
_COMPACT_ORDER = ("hash_name", "cost", "salt", "formula")
_COMPACT_ARGON2 = re.compile(rf"(?P<m>{_POSITIVE})\.(?P<t>{_POSITIVE})\.(?P<p>{_POSITIVE})")
_COMPACT_BYTES = re.compile(r"[A-Za-z0-9_-]{27,107}")
_ARGON2_PARTS = re.compile(
    rf"\$argon2id\$v=19\$m=(?P<m>{_POSITIVE}),t=(?P<t>{_POSITIVE}),p=(?P<p>{_POSITIVE})"
    r"\$(?P<salt>[A-Za-z0-9+/]+)\$(?P<tag>[A-Za-z0-9+/]+)"
)


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


def _b64std_decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact_field(name: str, params: LegacyParams) -> str:
    if name == "cost":
        return ".".join(str(c) for c in params.cost)
    if name == "salt":
        if not params.salt or _TEXT_SALT.fullmatch(params.salt):
            return params.salt.decode("ascii")
        return "~" + _b64url(params.salt)
    value: str = getattr(params, name)
    return value


def format_compact(scheme: LegacyScheme, params: LegacyParams, kid: str | None, inner: str) -> str | None:
    """The compact (``$sw2$``) spelling, or ``None`` when ``inner`` is not argon2id version 19 with a
    16-byte salt (only those have a compact spelling; ``format_wrapped`` takes the rest)."""
    match = _ARGON2_PARTS.fullmatch(inner)
    if match is None or not scheme.code:
        return None
    salt, tag = _b64std_decode(match["salt"]), _b64std_decode(match["tag"])
    if len(salt) != COMPACT_SALT_BYTES:
        return None
    fields = [scheme.code, *(_compact_field(n, params) for n in _COMPACT_ORDER if n in scheme.uses)]
    fields += [kid or "", f"{match['m']}.{match['t']}.{match['p']}", _b64url(salt + tag)]
    return COMPACT_PREFIX + "$".join(fields)


def parse_compact(stored: str) -> Wrapped:
    """Parse a compact wrap back into the same ``Wrapped`` a version-1 value gives."""
    parts = stored[len(COMPACT_PREFIX) :].split("$")
    scheme = BY_CODE.get(parts[0]) if stored.startswith(COMPACT_PREFIX) else None
    if scheme is None:
        raise UnknownHashFormat("malformed $sw2$ value (unknown scheme code)")
    names = [n for n in _COMPACT_ORDER if n in scheme.uses]
    if len(parts) != len(names) + 4:
        raise UnknownHashFormat(f"malformed $sw2$ value (a {scheme.label} wrap has {len(names) + 4} fields)")
    values = dict(zip(names, parts[1:], strict=False))
    kid, argon2_params, packed = parts[-3:]
    for name, value in values.items():
        if _COMPACT_FIELD[name].fullmatch(value) is None:
            raise UnknownHashFormat(f"malformed $sw2$ value (its {name} field)")
    cost_match = _COMPACT_ARGON2.fullmatch(argon2_params)
    if (kid and _KID.fullmatch(kid) is None) or cost_match is None or not _COMPACT_BYTES.fullmatch(packed):
        raise UnknownHashFormat("malformed $sw2$ value (pepper key id or argon2 part)")
    try:
        raw = _b64url_decode(packed)
        salt_text = values.get("salt", "")
        salt = _b64url_decode(salt_text[1:]) if salt_text.startswith("~") else salt_text.encode("ascii")
    except (binascii.Error, ValueError):
        raise UnknownHashFormat("malformed $sw2$ value (base64)") from None
    cost_text = values.get("cost", "")
    params = LegacyParams(
        cost=tuple(int(c) for c in cost_text.split(".")) if cost_text else (),
        salt=salt,
        hash_name=values.get("hash_name", ""),
        formula=values.get("formula", ""),
    )
    a_salt, tag = raw[:COMPACT_SALT_BYTES], raw[COMPACT_SALT_BYTES:]
    inner = (
        f"$argon2id$v=19$m={cost_match['m']},t={cost_match['t']},p={cost_match['p']}"
        f"${base64.b64encode(a_salt).decode().rstrip('=')}${base64.b64encode(tag).decode().rstrip('=')}"
    )
    wrapped = Wrapped(scheme_name=scheme.name, params=params, kid=kid or None, inner=inner)
    if not is_argon2(inner) or format_compact(scheme, params, wrapped.kid, inner) != stored:
        raise UnknownHashFormat("malformed $sw2$ value (non-canonical or bad argon2 part)")
    return wrapped


def dummy_argon2(parameters: argon2.Parameters) -> str:
    """An argon2 encoding of the exact length ``parameters`` produce (for predicting wrap lengths)."""
    salt = base64.b64encode(bytes(parameters.salt_len)).decode().rstrip("=")
    tag = base64.b64encode(bytes(parameters.hash_len)).decode().rstrip("=")
    name = parameters.type.name.lower()
    m, t, p = parameters.memory_cost, parameters.time_cost, parameters.parallelism
    return f"$argon2{name}$v={parameters.version}$m={m},t={t},p={p}${salt}${tag}"


def format_wrap(scheme: LegacyScheme, params: LegacyParams, kid: str | None, inner: str) -> str:
    """What ``PasswordHasher.wrap`` stores: the compact spelling when there is one, else version 1."""
    return format_compact(scheme, params, kid, inner) or format_wrapped(scheme.name, params, kid, inner)


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
    "COMPACT_PREFIX",
    "COMPACT_SALT_BYTES",
    "FORMAT_VERSION",
    "MAX_STORED_LENGTH",
    "PEPPER_PREFIX",
    "SENTINEL_PREFIX",
    "WRAP_PREFIX",
    "Peppered",
    "Wrapped",
    "argon2_parameters",
    "dummy_argon2",
    "format_compact",
    "format_peppered",
    "format_wrap",
    "format_wrapped",
    "is_argon2",
    "parse_compact",
    "parse_peppered",
    "parse_wrapped",
]
