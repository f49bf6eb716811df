"""Which URLs an endpoint may have (no SSRF): https only, and a host that resolves only to public addresses. Plain
http to a loopback address is allowed only when `PARCERIA["WEBHOOKS_ALLOW_LOOPBACK"]` is on (tests, a demo on one
machine). The check runs at registration and again before every delivery, on the addresses the name resolves to
then, so a name that later resolves to a private address (DNS rebinding) is refused at delivery."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from parceria.common.errors import InvalidInput


def allow_loopback() -> bool:
    return bool(settings.PARCERIA.get("WEBHOOKS_ALLOW_LOOPBACK", False))


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, code="url_refused", details={"field": "url"})


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise _refuse(_("The address's host name does not resolve.")) from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified or not ip.is_global)


def check_url(url: str) -> list[str]:
    """The addresses `url`'s host resolves to, or InvalidInput saying why the URL is refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refuse(_("Give a full https:// address."))
    if parts.username or parts.password:
        raise _refuse(_("The address must not carry a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _refuse(_("The address's port is not valid.")) from exc
    addresses = _resolve(parts.hostname, port)
    if not addresses:
        raise _refuse(_("The address's host name does not resolve."))
    if allow_loopback() and all(ip.is_loopback for ip in addresses):
        return [str(ip) for ip in addresses]
    if parts.scheme != "https":
        raise _refuse(_("Only https:// addresses are accepted."))
    if not all(_public(ip) for ip in addresses):
        raise _refuse(_("The address resolves to a private, loopback, link-local or reserved network."))
    return [str(ip) for ip in addresses]
