"""Legacy password hash schemes, recognised by format and verified in constant time.

Each module holds one family; ``SCHEMES`` lists the self-describing ones in the order they are tried
(their prefixes do not overlap, so the order only matters for speed). Bare hex and plaintext are
recognised only when declared: see :class:`HexRecipe` and ``plaintext_column``.
"""

from __future__ import annotations

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash
from sentinel.passwords.legacy.bcrypt_scheme import Bcrypt, DjangoBcrypt, DjangoBcryptSha256
from sentinel.passwords.legacy.django import (
    DjangoPbkdf2Sha1,
    DjangoPbkdf2Sha256,
    DjangoSaltedMd5,
    DjangoSaltedSha1,
)
from sentinel.passwords.legacy.hexdigest import HexDigest, HexRecipe
from sentinel.passwords.legacy.ldap import LDAP_SCHEMES
from sentinel.passwords.legacy.md5_crypt import AprMd5Crypt, Md5Crypt
from sentinel.passwords.legacy.mysql import Mysql41
from sentinel.passwords.legacy.phpass import Phpass
from sentinel.passwords.legacy.plaintext import Plaintext
from sentinel.passwords.legacy.sha_crypt import Sha256Crypt, Sha512Crypt
from sentinel.passwords.legacy.werkzeug import WerkzeugPbkdf2, WerkzeugScrypt

#: Self-describing schemes, tried in this order.
SCHEMES: tuple[LegacyScheme, ...] = (
    Bcrypt(),
    DjangoBcrypt(),
    DjangoBcryptSha256(),
    DjangoPbkdf2Sha256(),
    DjangoPbkdf2Sha1(),
    DjangoSaltedMd5(),
    DjangoSaltedSha1(),
    Phpass(),
    Md5Crypt(),
    AprMd5Crypt(),
    Sha256Crypt(),
    Sha512Crypt(),
    *LDAP_SCHEMES,
    Mysql41(),
    WerkzeugPbkdf2(),
    WerkzeugScrypt(),
)
PLAINTEXT = Plaintext()

#: Every scheme a wrapped hash may name (bare hex included: its formula travels in the wrap).
WRAPPABLE: dict[str, LegacyScheme] = {s.name: s for s in (*SCHEMES, HexDigest())}


def parse_self_describing(stored: str) -> ParsedHash | None:
    """The first scheme whose format ``stored`` has; raises if it claims a scheme but is malformed."""
    for scheme in SCHEMES:
        parsed = scheme.parse(stored)
        if parsed is not None:
            return parsed
    return None


__all__ = [
    "PLAINTEXT",
    "SCHEMES",
    "WRAPPABLE",
    "HexDigest",
    "HexRecipe",
    "LegacyParams",
    "LegacyScheme",
    "ParsedHash",
    "parse_self_describing",
]
