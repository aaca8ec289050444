"""Turning an account name and a client IP into the opaque keys a store sees.

Each attempt is charged to an account key and a spelling key. When the login's user lookup resolved
the typed name to an account, the account key is that account's (:meth:`Keyer.user`, by user ID),
so every spelling the database folds to the same row (``àlice``, ``ÀLÏCÉ`` on a MariaDB
``utf8mb4_general_ci`` column) shares one budget, whatever the database's collation does; for a
name that resolves to no one it is :meth:`Keyer.nobody`, one per folded spelling. The *spelling*
key (:meth:`Keyer.account`) is charged for every attempt, on the name folded hard by
:func:`normalise_account`: compatibility forms (NFKD), accents and other combining
marks dropped, case-folded, whitespace and invisible format characters (zero-width space, joiners)
removed. That folds at least as much as the usual database collations (MariaDB/MySQL ``*_ci``,
PostgreSQL ICU ``ks-level1``), so spraying made-up spellings of one name shares one budget too.
Folding more than the database only merges budgets (stricter, never looser). Over-long names are cut
to :data:`MAX_ACCOUNT_CHARS` first, which bounds the cost.

Keys are HMAC-SHA256 under a secret, not plain hashes. Usernames, e-mail addresses and IPv4
addresses are small spaces: a plain SHA-256 of each is reversed by a dictionary in seconds, and a
dump of the store would then say who was attacked, from where, and which IPs each user logs in from
(the known-source markers). With a keyed HMAC, a store dump is unlinkable without the key. The key
is derived from the configured secret with a fixed label, so the application's session signing key
can be reused safely. Changing the key resets every counter once (old keys simply expire).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from sentinel.keys import Secret, coerce_keys
from sentinel.ratelimit.addresses import IPAddress, bucket

#: Account names are cut to this many characters before normalising.
MAX_ACCOUNT_CHARS = 256
#: Hex characters kept from each HMAC (128 bits: collisions are out of reach).
KEY_HEX_CHARS = 32
_LABEL = b"sentinel.ratelimit.v1"


#: Unicode categories removed by the fold: combining marks (accents) and format characters
#: (zero-width space and joiners, direction marks), which a database collation ignores or an eye
#: cannot see.
_DROPPED_CATEGORIES = frozenset({"Mn", "Mc", "Me", "Cf"})


def _bare(text: str) -> str:
    """NFKD, without combining marks, format characters or whitespace."""
    return "".join(
        c
        for c in unicodedata.normalize("NFKD", text)
        if not c.isspace() and unicodedata.category(c) not in _DROPPED_CATEGORIES
    )


def normalise_account(name: str) -> str:
    """The spelling key's form of a name: no accents, compatibility forms, case, spaces or invisibles.

    ``Alice``, `` alice ``, ``àlice``, ``ÀLÏCÉ``, the full-width ``\\uff41lice`` and ``ali\\u200bce``
    all give ``alice``. Case-folding runs between two passes because it can produce new marks
    (``İ`` folds to ``i`` plus a combining dot).
    """
    name = name[:MAX_ACCOUNT_CHARS]
    if name.isascii():  # the common case, and the same result: NFKD leaves ASCII alone
        return "".join(name.split()).lower()
    # Decomposing and case-folding can lengthen a name (``ß`` gives ``ss``): cut again, so that
    # folding a folded name changes nothing.
    return _bare(_bare(name).casefold())[:MAX_ACCOUNT_CHARS]


class Keyer:
    """Derives store keys and log identifiers. Holds the derived HMAC key, never prints it."""

    __slots__ = ("_key", "ephemeral", "ipv4_prefix", "ipv6_prefix")

    def __init__(self, secret: Secret | str | bytes | None, *, ipv4_prefix: int, ipv6_prefix: int) -> None:
        self.ephemeral = secret is None
        if secret is None:
            raw = secrets.token_bytes(32)
        else:
            raw = coerce_keys([secret], what="rate limiter key")[0].reveal()
        self._key = hmac.new(raw, _LABEL, hashlib.sha256).digest()
        self.ipv4_prefix = ipv4_prefix
        self.ipv6_prefix = ipv6_prefix

    def __repr__(self) -> str:
        return f"Keyer(ipv4_prefix={self.ipv4_prefix}, ipv6_prefix={self.ipv6_prefix})"

    def _mac(self, kind: bytes, value: bytes) -> str:
        return hmac.new(self._key, kind + b"\0" + value, hashlib.sha256).hexdigest()[:KEY_HEX_CHARS]

    def account(self, name: str) -> str:
        """The spelling key of a typed name (see :func:`normalise_account`)."""
        return self._mac(b"account", normalise_account(name).encode("utf-8", "surrogatepass"))

    def user(self, user_id: str) -> str:
        """The key of an account the user lookup resolved, by its ID: one per account."""
        return self._mac(b"user", user_id.encode("utf-8", "surrogatepass"))

    def nobody(self, name: str) -> str:
        """The account key of a name that resolves to no one: one per folded spelling.

        It moves in step with the spelling key; it exists so that an unknown name touches as many
        counters, in the same code path, as a known one (no timing difference in the limiter).
        """
        return self._mac(b"nobody", normalise_account(name).encode("utf-8", "surrogatepass"))

    def bucket(self, address: IPAddress | None) -> str:
        """The client's bucket: its /32 (IPv4) or /64 (IPv6) network, or ``unknown``."""
        return bucket(address, ipv4_prefix=self.ipv4_prefix, ipv6_prefix=self.ipv6_prefix)

    def ip(self, client_bucket: str) -> str:
        return self._mac(b"ip", client_bucket.encode())

    def pair(self, account_key: str, ip_key: str) -> str:
        # Both inputs are fixed-length hex, so plain concatenation is unambiguous.
        return self._mac(b"pair", (account_key + ip_key).encode())

    def throttle(self, client_bucket: str, scope_name: str) -> str:
        return self._mac(b"throttle", scope_name.encode() + b"\0" + client_bucket.encode())

    def log_id(self, name: str) -> str:
        """A short account identifier for logs, distinct from the store key."""
        return self._mac(b"log", normalise_account(name).encode("utf-8", "surrogatepass"))[:16]


__all__ = ["KEY_HEX_CHARS", "MAX_ACCOUNT_CHARS", "Keyer", "normalise_account"]
