"""The address a request came from, for the login lockout (django-axes).

Behind a reverse proxy every request's REMOTE_ADDR is the proxy's, so counting failures by it
would lock out everyone at once after one person's typos. The proxy says who it served in
X-Forwarded-For, but any client can send that header too: it is believed only when
REMOTE_ADDR is one of settings.TRUSTED_PROXIES, and then read from the right, past every
trusted proxy, to the first address no trusted proxy vouches for. Whatever a client put at
the left of the header itself is never reached.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def parse_address(text: str) -> Address | None:
    """An address from a header entry: "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443"."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or what trusted proxies say is behind them."""
    remote = request.META.get("REMOTE_ADDR")
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or remote is None:
        return remote

    def trusted(address: Address | None) -> bool:
        return address is not None and any(address in net for net in networks)

    client = parse_address(remote)
    if not trusted(client):
        return remote  # a direct client: its own X-Forwarded-For is not believed
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([e for e in forwarded.split(",") if e.strip()]):
        address = parse_address(entry)
        if address is None:
            break  # garbled: keep the last address a trusted proxy vouched for
        client = address
        if not trusted(address):
            break
    return str(client)
