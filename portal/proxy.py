"""The client's address: REMOTE_ADDR, unless the request came from a trusted proxy
(TRUSTED_PROXIES, the TLS proxy in front of gunicorn), whose X-Forwarded-For then says who
its own client was. A client that sends X-Forwarded-For directly is not believed."""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(networks: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip())


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted(remote):
        return remote
    # The proxy appends the address it saw as the last entry; earlier ones are the client's
    # own claims and are not believed.
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    last = forwarded[-1] if forwarded and forwarded[-1] else ""
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote
