"""Client address resolution: trusted proxies only, walked from the right; hostile headers."""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel.errors import ConfigurationError
from sentinel.ratelimit import TrustedProxies, parse_ip
from sentinel.ratelimit.addresses import bucket

PROXY_NETS = ["10.0.0.0/8", "fd00::/8"]
XFF = TrustedProxies(PROXY_NETS)
FWD = TrustedProxies(PROXY_NETS, header="forwarded")
PROXY = "10.0.0.2"


# Addresses outside the trusted networks: what real clients look like.
def _client_like(address: IPv4Address | IPv6Address) -> bool:
    mapped = isinstance(address, IPv6Address) and address.ipv4_mapped is not None
    return not XFF.trusts(address) and not mapped


clients_v4: st.SearchStrategy[IPv4Address | IPv6Address] = st.ip_addresses(v=4).filter(_client_like)
clients_v6: st.SearchStrategy[IPv4Address | IPv6Address] = st.ip_addresses(v=6).filter(_client_like)
clients = st.one_of(clients_v4, clients_v6)
proxies_v4 = st.ip_addresses(network="10.0.0.0/8")


def scope(peer: str | None, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "client": None if peer is None else (peer, 50000), "headers": headers or []}


def xff(value: str | bytes) -> tuple[bytes, bytes]:
    return (b"x-forwarded-for", value if isinstance(value, bytes) else value.encode("latin-1"))


def fwd(value: str | bytes) -> tuple[bytes, bytes]:
    return (b"forwarded", value if isinstance(value, bytes) else value.encode("latin-1"))


def node(address: IPv4Address | IPv6Address) -> str:
    """How an RFC 7239 proxy writes ``address`` in ``for=``."""
    return f'"[{address}]"' if address.version == 6 else str(address)


# -- the attack: a client writes the header itself -------------------------------------------------
@given(header=st.binary(max_size=300), peer=clients)
def test_untrusted_peer_headers_are_ignored(header: bytes, peer: IPv4Address | IPv6Address) -> None:
    """Spoofed X-Forwarded-For / Forwarded from a direct client never changes who it is."""
    hostile = scope(str(peer), [xff(header), fwd(header), xff(b"1.2.3.4")])
    assert XFF.client_address(hostile) == peer
    assert FWD.client_address(hostile) == peer


@given(junk=st.binary(max_size=300), client=clients, proxy=proxies_v4)
def test_what_the_client_wrote_left_of_our_proxy_is_never_read(
    junk: bytes, client: IPv4Address | IPv6Address, proxy: IPv4Address
) -> None:
    """The client sends any header; our proxy appends the peer it saw. We get that peer."""
    appended = junk + b", " + str(client).encode()
    assert XFF.client_address(scope(str(proxy), [xff(appended)])) == client
    appended_fwd = junk + b", for=" + node(client).encode() + b";proto=https"
    assert FWD.client_address(scope(str(proxy), [fwd(appended_fwd)])) == client


@given(header=st.binary(max_size=500), proxy=proxies_v4)
@settings(max_examples=300)
def test_hostile_bytes_from_a_proxy_never_crash(header: bytes, proxy: IPv4Address) -> None:
    for proxies, header_name in ((XFF, b"x-forwarded-for"), (FWD, b"forwarded")):
        assert proxies.client_address(scope(str(proxy), [(header_name, header)])) is not None


# Junk that can never parse as an address: no digits, hex letters, colons or dots.
junk = st.text(alphabet="ghijklmnopqrstuvwxyz _-=;\"'[]\\\t\xe9\xff", max_size=12)
any_address = st.one_of(clients, proxies_v4, st.ip_addresses(network="fd00::/8"))


@st.composite
def forged_headers(draw: st.DrawFn) -> tuple[str, set[IPv4Address | IPv6Address]]:
    """A header of junk, trusted and untrusted addresses in assorted spellings, and the addresses
    it contains."""
    parts: list[str] = []
    inside: set[IPv4Address | IPv6Address] = set()
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            parts.append(draw(junk))
            continue
        address = draw(any_address)
        inside.add(address)
        spellings = [
            str(address),
            address.exploded,
            f"{address}:80" if address.version == 4 else f"[{address}]:80",
        ]
        spelled = draw(st.sampled_from(spellings))
        parts.append(draw(st.sampled_from([spelled, f"for={spelled}", f'for="{spelled}"', f" {spelled} "])))
    return draw(st.sampled_from([",", ", ", ";", " "])).join(parts), inside


@given(forged=forged_headers(), proxy=proxies_v4)
@settings(max_examples=300)
def test_the_answer_is_always_the_proxy_or_an_address_in_the_header(
    forged: tuple[str, set[IPv4Address | IPv6Address]], proxy: IPv4Address
) -> None:
    header, inside = forged
    for proxies, make in ((XFF, xff), (FWD, fwd)):
        found = proxies.client_address(scope(str(proxy), [make(header)]))
        assert found == proxy or found in inside


@given(client=clients, hops=st.lists(proxies_v4, min_size=1, max_size=6), peer=proxies_v4)
def test_a_chain_of_our_proxies_is_walked_to_the_client(
    client: IPv4Address | IPv6Address, hops: list[IPv4Address], peer: IPv4Address
) -> None:
    chain = ", ".join([str(client), *map(str, hops)])
    assert XFF.client_address(scope(str(peer), [xff(chain)])) == client
    chain_fwd = ", ".join(f"for={node(a)}" for a in [client, *hops])
    assert FWD.client_address(scope(str(peer), [fwd(chain_fwd)])) == client


def test_the_walk_stops_at_the_first_untrusted_hop() -> None:
    header = xff("198.51.100.1, 203.0.113.9, 10.0.0.5")  # spoofed, real client, our inner proxy
    assert XFF.client_address(scope(PROXY, [header])) == IPv4Address("203.0.113.9")


def test_several_header_lines_are_one_list_in_order() -> None:
    headers = [xff("198.51.100.1"), xff("203.0.113.9, 10.0.0.5")]
    assert XFF.client_address(scope(PROXY, headers)) == IPv4Address("203.0.113.9")
    headers = [xff("203.0.113.9"), xff("10.0.0.5")]
    assert XFF.client_address(scope(PROXY, headers)) == IPv4Address("203.0.113.9")


def test_only_the_configured_header_is_read() -> None:
    """Smuggling: our proxy manages X-Forwarded-For and passes Forwarded through untouched."""
    smuggled = [fwd("for=198.51.100.1"), xff("203.0.113.9")]
    assert XFF.client_address(scope(PROXY, smuggled)) == IPv4Address("203.0.113.9")
    smuggled = [xff("198.51.100.1"), fwd("for=203.0.113.9")]
    assert FWD.client_address(scope(PROXY, smuggled)) == IPv4Address("203.0.113.9")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.9:4711", "203.0.113.9"),
        ("[2001:db8::7]:4711", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("  203.0.113.9  ", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("unknown", PROXY),  # unparsable: stop at the last address we vouch for
        ("", PROXY),
        ("203.0.113.9, ", PROXY),
        ("1.2.3.4.5", PROXY),
        ("010.1.1.1", PROXY),  # leading zeros are ambiguous (octal?): refused
    ],
)
def test_x_forwarded_for_entries(value: str, expected: str) -> None:
    assert XFF.client_address(scope(PROXY, [xff(value)])) == ipaddress.ip_address(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('for="[2001:db8:cafe::17]:4711"', "2001:db8:cafe::17"),
        ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
        ("FOR=192.0.2.60", "192.0.2.60"),
        ('for="192.0.2.60:8080"', "192.0.2.60"),
        ("for=192.0.2.43, for=198.51.100.17", "198.51.100.17"),
        ("for=_hidden", PROXY),  # obfuscated node
        ("for=unknown", PROXY),
        ("proto=https", PROXY),  # no for=
        ("for=192.0.2.1;for=192.0.2.2", PROXY),  # ambiguous
        ('for="192.0.2.1', PROXY),  # broken quoting
        ('for="192.0.2.1\\"', PROXY),
        ("garbage", PROXY),
    ],
)
def test_forwarded_elements(value: str, expected: str) -> None:
    assert FWD.client_address(scope(PROXY, [fwd(value)])) == ipaddress.ip_address(expected)


def test_long_chains_cost_bounded_work_and_stop_at_a_trusted_hop() -> None:
    proxies = TrustedProxies(PROXY_NETS, max_hops=4)
    chain = ", ".join(["198.51.100.1"] + [f"10.0.0.{i}" for i in range(1, 50)])
    assert proxies.client_address(scope(PROXY, [xff(chain)])) == IPv4Address("10.0.0.46")
    huge = xff(b"198.51.100.1," * 100_000 + b"203.0.113.9")
    assert proxies.client_address(scope(PROXY, [huge])) == IPv4Address("203.0.113.9")


def test_no_proxies_by_default_and_missing_peers() -> None:
    default = TrustedProxies()
    assert default.client_address(scope("10.0.0.2", [xff("203.0.113.9")])) == IPv4Address("10.0.0.2")
    assert default.client_address(scope(None)) is None
    assert default.client_address({"type": "http", "headers": []}) is None
    assert default.client_address(scope("/run/app.sock")) is None


def test_bad_configuration_is_reported_in_full() -> None:
    with pytest.raises(ConfigurationError) as caught:
        TrustedProxies(["0.0.0.0/0", "::/0", "10.0.0.1/8", "proxy.local"], header="x-real-ip", max_hops=0)  # type: ignore[arg-type]
    problems = caught.value.problems
    assert len(problems) == 6
    assert sum("trusts every address" in p for p in problems) == 2


def test_a_single_network_string_is_accepted() -> None:
    assert TrustedProxies("10.0.0.0/8").trusts(IPv4Address("10.1.2.3"))


@given(address=st.ip_addresses(), port=st.integers(0, 65535))
def test_parse_ip_round_trips(address: IPv4Address | IPv6Address, port: int) -> None:
    expected = address.ipv4_mapped if isinstance(address, IPv6Address) and address.ipv4_mapped else address
    assert parse_ip(str(address)) == expected
    if address.version == 4:
        assert parse_ip(f"{address}:{port}") == expected
    else:
        assert parse_ip(f"[{address}]:{port}") == expected
        assert parse_ip(f"[{address}]") == expected


@given(text=st.text(max_size=80))
def test_parse_ip_never_raises(text: str) -> None:
    result = parse_ip(text)
    assert result is None or isinstance(result, IPv4Address | IPv6Address)


def test_buckets() -> None:
    v6 = parse_ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")
    assert bucket(v6, ipv4_prefix=32, ipv6_prefix=64) == "2001:db8:1:2::/64"
    assert bucket(v6, ipv4_prefix=32, ipv6_prefix=56) == "2001:db8:1::/56"
    assert bucket(parse_ip("203.0.113.9"), ipv4_prefix=32, ipv6_prefix=64) == "203.0.113.9/32"
    assert bucket(parse_ip("203.0.113.9"), ipv4_prefix=24, ipv6_prefix=64) == "203.0.113.0/24"
    assert bucket(None, ipv4_prefix=32, ipv6_prefix=64) == "unknown"
