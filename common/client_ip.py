"""The client's address, believing `X-Forwarded-For` only as far as trusted proxies wrote it.

Behind nginx every request arrives from the proxy's address; the proxy appends the address it saw
to `X-Forwarded-For` (`$proxy_add_x_forwarded_for`). Starting from `REMOTE_ADDR`, while the hop in
hand is one of `settings.TRUSTED_PROXIES` (addresses or networks), step to the address it reported:
the header's last entry, then the one before. The first hop that is not a trusted proxy is the
client; whatever the client wrote itself lies further left and is never read. With no trusted
proxies, or a request that did not come from one, the header is ignored and `REMOTE_ADDR` is the
client.

A count of proxies alone is not offered on purpose: it cannot tell a request that came through the
proxy from one sent straight to the application server with a forged header.

allauth's limits take `client_ip` (through the account adapter) and group IPv6 addresses per /64
themselves; DRF's throttles and the public forms' limits take `client_key`, which does the same: one
customer network gets one budget, not 2**64 of them.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


class HasMeta(Protocol):
    """A Django `HttpRequest` or a DRF `Request`: all that is read is the WSGI environment."""

    @property
    def META(self) -> Mapping[str, Any]: ...  # noqa: N802 (Django's name)


def parse_trusted_proxies(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR networks; a typo is a configuration error, not a proxy silently ignored."""
    return _networks(tuple(entries))


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (such as 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """An address as a proxy or server writes it: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HasMeta) -> Address | None:
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = parse_trusted_proxies(getattr(settings, "TRUSTED_PROXIES", ()))
    if not networks:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = remote
    while hops and _trusted(client, networks):
        reported = parse_address(hops.pop())
        if reported is None:  # nothing (or garbage) reported: the trusted hop is all we know
            break
        client = reported
    return client


def client_ip(request: HasMeta) -> str:
    """The client's address as text ("unknown" if the server gave none)."""
    address = client_address(request)
    return str(address) if address is not None else UNKNOWN


def client_key(request: HasMeta) -> str:
    """What address-based rate limits count: the client's address, or its /64 for IPv6."""
    address = client_address(request)
    if address is None:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)
