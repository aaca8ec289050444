"""Legacy password hash schemes, recognised by format and verified in constant time.

Each module holds one family; ``SCHEMES`` lists the self-describing ones in the order they are tried
(their prefixes do not overlap, so the order only matters for speed). Bare hex and plaintext are
recognised only when declared: see :class:`HexRecipe` and ``plaintext_column``.
"""

from __future__ import annotations

from sentinel.passwords.legacy.base import LegacyParams, LegacyScheme, ParsedHash
from sentinel.passwords.legacy.bcrypt_scheme import (
    Bcrypt,
    DjangoBcrypt,
    DjangoBcryptSha256,
    FlaskBcryptSha256,
    PasslibBcryptSha256,
    PasslibBcryptSha256V2,
)
from sentinel.passwords.legacy.des_crypt import DesCrypt
from sentinel.passwords.legacy.django import (
    DjangoCrypt,
    DjangoPbkdf2Sha1,
    DjangoPbkdf2Sha256,
    DjangoSaltedMd5,
    DjangoSaltedSha1,
    DjangoScrypt,
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
    PasslibBcryptSha256(),
    PasslibBcryptSha256V2(),
    DjangoPbkdf2Sha256(),
    DjangoPbkdf2Sha1(),
    DjangoScrypt(),
    DjangoCrypt(),
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
#: Flask-Bcrypt's long-password mode: plain-looking ``$2b$`` values, read this way only when declared.
FLASK_BCRYPT_SHA256 = FlaskBcryptSha256()

#: Every scheme a wrapped hash may name (bare hex included: its formula travels in the wrap; DES crypt
#: and Flask-Bcrypt's mode, which are only ever read when a prefix or a declaration says so).
WRAPPABLE: dict[str, LegacyScheme] = {
    s.name: s for s in (*SCHEMES, HexDigest(), DesCrypt(), FLASK_BCRYPT_SHA256) if s.code
}
#: The same, by the short code a compact wrap carries.
BY_CODE: dict[str, LegacyScheme] = {s.code: s for s in WRAPPABLE.values()}


def parse_self_describing(stored: str) -> ParsedHash | None:
    """The first scheme whose format ``stored`` has; raises if it claims a scheme but is malformed."""
    for scheme in SCHEMES:
        parsed = scheme.parse(stored)
        if parsed is not None:
            return parsed
    return None


__all__ = [
    "BY_CODE",
    "FLASK_BCRYPT_SHA256",
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
