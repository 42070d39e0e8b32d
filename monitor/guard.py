"""Never fetch from a loopback, private, link-local or otherwise internal address.

A registry row names a host under ``.gov.cn``, but a name can resolve anywhere: a typo, a stale DNS
record or a hostile entry pointing at 127.0.0.1, 10.x or 169.254.169.254 would turn the crawler into
a client of the monitoring office's own internal services. Every request's host (and the proxy it
goes through) is resolved with Scrapy's resolver before download; an internal address is refused
with the error class ``private_address``, unless ``MONITOR_ALLOW_PRIVATE_ADDRESSES`` says so (the
sandbox and the tests, whose proxy is on 127.0.0.1, set it).

Behind a proxy the proxy resolves the portals' names: put the same rule in the proxy (squid:
``http_access deny to_localhost`` and an ACL for private networks). Names that do not resolve here are
left to the download (or the proxy), which reports its own error.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import dnscache
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from monitor.config import MonitorSettings

PRIVATE_ERROR = "private_address"


class PrivateAddressRefused(IgnoreRequest):
    """The request's host, or its proxy, is at an internal address."""


def internal(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified)


class PrivateAddressGuard:
    """Downloader middleware (after HttpProxyMiddleware, so the proxy is known)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if MonitorSettings.of(crawler).allow_private_addresses:
            raise NotConfigured
        return cls(crawler)

    async def process_request(self, request, spider=None):
        hosts = [urlsplit(request.url).hostname]
        proxy = request.meta.get("proxy")
        if proxy:
            hosts.append(urlsplit(proxy if "//" in proxy else f"http://{proxy}").hostname)
        for host in filter(None, hosts):
            address = await self._resolve(host)
            if address is not None and internal(address):
                raise PrivateAddressRefused(f"{PRIVATE_ERROR}: {host} is at {address}, an internal "
                                            f"address (MONITOR_ALLOW_PRIVATE_ADDRESSES=1 allows it)")
        return None

    async def _resolve(self, host: str) -> str | None:
        try:
            ipaddress.ip_address(host.strip("[]"))
            return host
        except ValueError:
            pass
        if host in dnscache:  # what Scrapy's caching resolver will connect to
            return dnscache[host]
        from twisted.internet import reactor
        try:
            return await maybe_deferred_to_future(reactor.resolve(host))
        except (DNSLookupError, OSError):
            return None  # unresolvable here: the download (or the proxy) reports it
