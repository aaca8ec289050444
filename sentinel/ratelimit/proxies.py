"""Which client sent this request: the ASGI peer, or a forwarded address vouched for by our proxies.

``scope["client"]`` is the TCP peer: it cannot be spoofed. ``X-Forwarded-For`` and ``Forwarded`` can
be written by anyone, so they are read only when the peer is one of *our* proxies (a configured list
of networks), and then only as far as our proxies vouch for them:

- the chain is walked from the right (the entry our nearest proxy appended) to the left;
- each entry that is one of our proxies passes the walk on to the entry before it;
- the first entry that is NOT one of our proxies is the client, and the walk stops there, so whatever
  a client wrote into the header itself (to the left) is never read;
- an entry that does not parse (``unknown``, an obfuscated ``_name``, garbage) also stops the walk,
  at the last address we could vouch for: requests then count against that proxy's budget, which is
  stricter, never looser.

Only ONE header is read, the one your proxy writes (``x-forwarded-for`` by default, or
``forwarded``, RFC 7239). Reading both would let a client smuggle an address through whichever header
the proxy passes along untouched. The walk looks at most ``max_hops`` entries: attacker-sized headers
cost bounded work, and a longer chain of trusted hops stops at the last one reached.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from ipaddress import IPv4Network, IPv6Network
from typing import Literal

from sentinel.errors import ConfigurationError
from sentinel.ratelimit.addresses import IPAddress, parse_ip
from sentinel.types import Scope

ForwardedHeader = Literal["x-forwarded-for", "forwarded"]
#: Entries examined at most, right to left.
DEFAULT_MAX_HOPS = 16


def peer_address(scope: Scope) -> IPAddress | None:
    """The TCP peer from the ASGI scope, or ``None`` (no client, a Unix socket, garbage)."""
    client = scope.get("client")
    if not client or not isinstance(client[0], str):
        return None
    return parse_ip(client[0])


def _header_values(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers", ()) if key == name]


def _entries_from_right(values: list[str], limit: int) -> Iterator[str]:
    """Comma-separated entries of all ``values`` (in order), yielded right to left, at most ``limit``.

    Splitting stops after ``limit`` entries, so a huge header costs no more than a short one.
    """
    for value in reversed(values):
        parts = value.rsplit(",", limit)
        for part in reversed(parts[1:] if len(parts) > limit else parts):
            if limit <= 0:
                return
            limit -= 1
            yield part
        if limit <= 0:
            return


def _forwarded_for(element: str) -> str | None:
    """The ``for=`` node of one RFC 7239 element, unquoted, or ``None`` if absent or ambiguous."""
    found: str | None = None
    for pair in element.split(";"):
        name, sep, value = pair.partition("=")
        if not sep:
            if pair.strip():
                return None
            continue
        if name.strip().lower() != "for":
            continue
        if found is not None:  # two for= in one element: ambiguous, trust neither
            return None
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if '"' in value or "\\" in value:
            return None
        found = value
    return found


class TrustedProxies:
    """The proxies whose forwarding headers we believe, and how to read them.

    ``TrustedProxies(["10.0.0.0/8", "::1"])`` trusts X-Forwarded-For from those peers; pass
    ``header="forwarded"`` if your proxy writes RFC 7239 ``Forwarded`` instead. The default,
    ``TrustedProxies()``, trusts nobody: the client is always the TCP peer.
    """

    def __init__(
        self,
        networks: Iterable[str] = (),
        *,
        header: ForwardedHeader = "x-forwarded-for",
        max_hops: int = DEFAULT_MAX_HOPS,
    ) -> None:
        if isinstance(networks, str):
            networks = [networks]
        problems: list[str] = []
        parsed: list[IPv4Network | IPv6Network] = []
        for text in networks:
            try:
                network = ipaddress.ip_network(text.strip(), strict=True)
            except ValueError as exc:
                problems.append(f"trusted proxy {text!r} is not a network: {exc}")
                continue
            if network.prefixlen == 0:
                problems.append(
                    f"trusted proxy {text!r} trusts every address, which lets any client forge "
                    "its address in the forwarding header; list your proxies' networks instead"
                )
            parsed.append(network)
        if header not in ("x-forwarded-for", "forwarded"):
            problems.append("header must be 'x-forwarded-for' or 'forwarded'")
        if not 1 <= max_hops <= 64:
            problems.append("max_hops must be in [1, 64]")
        if problems:
            raise ConfigurationError(problems)
        self.networks = tuple(parsed)
        self.header = header
        self.max_hops = max_hops
        self._header_name = header.encode()

    def __repr__(self) -> str:
        nets = ", ".join(str(n) for n in self.networks)
        return f"TrustedProxies([{nets}], header={self.header!r})"

    def trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)

    def client_address(self, scope: Scope) -> IPAddress | None:
        """The client's address as far as our proxies vouch for it (see the module docstring)."""
        current = peer_address(scope)
        if current is None or not self.trusts(current):
            return current
        values = _header_values(scope, self._header_name)
        for entry in _entries_from_right(values, self.max_hops):
            node = entry if self.header == "x-forwarded-for" else _forwarded_for(entry)
            hop = parse_ip(node) if node is not None else None
            if hop is None:
                return current
            current = hop
            if not self.trusts(hop):
                return hop
        return current


#: Trust nobody: the client is the TCP peer. The default everywhere.
NO_PROXIES = TrustedProxies()

__all__ = ["DEFAULT_MAX_HOPS", "NO_PROXIES", "ForwardedHeader", "TrustedProxies", "peer_address"]
