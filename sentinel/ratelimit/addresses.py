"""Client addresses: strict parsing and bucketing into the networks one party controls.

An IPv6 customer is usually given a whole /64 (often a /56 or /48), and picks any of its 2**64
addresses at will, so limiting by single IPv6 address limits nothing. Clients are therefore counted
per /64 by default (configurable). IPv4 clients are counted per address.

IPv4-mapped IPv6 addresses (``::ffff:192.0.2.1``, as dual-stack sockets report IPv4 peers) are
turned back into IPv4 first; otherwise every IPv4 client would land in the one /64 ``::ffff:0:0/64``
and share a single budget.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address

IPAddress = IPv4Address | IPv6Address

DEFAULT_IPV4_PREFIX = 32
DEFAULT_IPV6_PREFIX = 64
#: The bucket of a request whose client address is missing or unusable. All such requests share
#: it, so a missing address is limited as one client, never unlimited.
UNKNOWN_CLIENT = "unknown"
_MAX_ADDRESS_CHARS = 64


def parse_ip(text: str) -> IPAddress | None:
    """An address from ``text``, or ``None``. Accepts ``1.2.3.4``, ``1.2.3.4:80``, ``::1``,
    ``[::1]`` and ``[::1]:80``; drops IPv6 zone IDs and unmaps IPv4-mapped IPv6."""
    text = text.strip()
    if not text or len(text) > _MAX_ADDRESS_CHARS:
        return None
    if text.startswith("["):
        end = text.find("]")
        rest = text[end + 1 :] if end > 0 else "x"
        if rest and not (rest.startswith(":") and rest[1:].isdigit() and rest[1:].isascii()):
            return None
        text = text[1:end]
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
        if not (port.isdigit() and port.isascii()):
            return None
        text = host
    text = text.split("%", 1)[0]
    if not text.isascii():
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def bucket(address: IPAddress | None, *, ipv4_prefix: int, ipv6_prefix: int) -> str:
    """The network ``address`` is counted in, as text (``2001:db8:1:2::/64``)."""
    if address is None:
        return UNKNOWN_CLIENT
    prefix = ipv4_prefix if isinstance(address, IPv4Address) else ipv6_prefix
    host_bits = address.max_prefixlen - prefix
    network = type(address)(int(address) >> host_bits << host_bits)
    return f"{network}/{prefix}"


def prefix_problems(ipv4_prefix: int, ipv6_prefix: int) -> list[str]:
    """Configuration problems with the bucket sizes."""
    problems: list[str] = []
    if not 8 <= ipv4_prefix <= 32:
        problems.append("ipv4_prefix must be in [8, 32]")
    if not 32 <= ipv6_prefix <= 128:
        problems.append("ipv6_prefix must be in [32, 128] (64 is one customer allocation)")
    return problems


__all__ = [
    "DEFAULT_IPV4_PREFIX",
    "DEFAULT_IPV6_PREFIX",
    "UNKNOWN_CLIENT",
    "IPAddress",
    "bucket",
    "parse_ip",
    "prefix_problems",
]
