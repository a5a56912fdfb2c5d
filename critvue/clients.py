"""The client's address behind trusted proxies (TRUSTED_PROXIES), for every per-address limit and the logs.

A proxy appends the address it was connected from to X-Forwarded-For, so the header reads
`client, proxy1, proxy2` with the peer (REMOTE_ADDR) being the last proxy. Only what trusted proxies
wrote can be believed: walking the header from the right, the first address that is not a trusted
proxy is the client. From a peer that is not a trusted proxy the header is ignored altogether, so a
client that forges it changes nothing.

Written on the standard library's `ipaddress`: django-ipware / python-ipware pick the left-most (or
first public) address and match proxies by string prefix, and django-xff trusts a fixed depth whatever
the peer is — neither ignores the header from an untrusted peer, which the contract requires.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Where the answer is kept on the request: computed once, whoever asks first (a limit, the logs).
CACHE_ATTRIBUTE = "_critvue_client_address"


def parse_networks(entries: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """TRUSTED_PROXIES entries (addresses or CIDR blocks) as networks; ValueError names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is neither an IP address nor a CIDR block") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def trusted_networks() -> tuple[Network, ...]:
    return _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(text: str) -> Address | None:
    """An address as the header or the socket gives it; IPv4-mapped IPv6 as plain IPv4."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def resolve(peer: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address, given the connection's peer and the X-Forwarded-For header."""
    current = _address(peer)
    if current is None or not any(current in network for network in trusted):
        return peer
    for hop in reversed(forwarded_for.split(",") if forwarded_for else []):
        address = _address(hop)
        if address is None:
            # Not written by a trusted proxy (they write the addresses they were connected from):
            # the nearest hop that one did write stands for the client.
            break
        current = address
        if not any(address in network for network in trusted):
            break
    return str(current)


def client_address(request: HttpRequest) -> str:
    """The address of the client that made this request (RATELIMIT_IP_META_KEY names this function)."""
    cached = getattr(request, CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = resolve(
            request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted_networks()
        )
        setattr(request, CACHE_ATTRIBUTE, cached)
    return cached
