"""Nothing is fetched from an internal address unless MONITOR_ALLOW_PRIVATE_ADDRESSES says so."""

from __future__ import annotations

import pytest
import pytest_twisted
from scrapy import Request
from scrapy.resolver import dnscache
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler

from conftest import SANDBOX_NOW, crawl_sandbox
from monitor.fetching import classify_failure
from monitor.guard import PrivateAddressGuard, PrivateAddressRefused, internal
from monitor.store import Store


@pytest.mark.parametrize(("address", "refused"), [
    ("127.0.0.1", True), ("10.3.4.5", True), ("172.16.0.9", True), ("192.168.1.1", True),
    ("169.254.169.254", True), ("::1", True), ("fe80::1", True), ("0.0.0.0", True),
    ("::ffff:127.0.0.1", True), ("124.238.238.58", False), ("2001:da8::1", False), ("www.gov.cn", False),
])
def test_internal_addresses(address, refused):
    assert internal(address) is refused


@pytest_twisted.inlineCallbacks
def test_a_gov_cn_name_resolving_to_loopback_is_refused():
    """Scrapy's resolver cache stands in for DNS: the name resolves to 127.0.0.1. The guard runs
    as Scrapy runs an async middleware (an asyncio coroutine under the asyncio reactor)."""
    dnscache["www.intranet-trap.gov.cn"] = "127.0.0.1"
    dnscache["www.public-portal.gov.cn"] = "124.238.238.58"

    def run(request):
        return deferred_from_coro(guard.process_request(request))

    try:
        guard = PrivateAddressGuard.from_crawler(get_crawler(settings_dict={}))
        with pytest.raises(PrivateAddressRefused) as refused:
            yield run(Request("http://www.intranet-trap.gov.cn/index.html"))
        assert classify_failure(refused.value) == "private_address"
        assert "www.intranet-trap.gov.cn is at 127.0.0.1" in str(refused.value)
        assert (yield run(Request("http://www.public-portal.gov.cn/"))) is None
        proxied = Request("http://www.public-portal.gov.cn/", meta={"proxy": "http://10.0.0.8:3128"})
        with pytest.raises(PrivateAddressRefused):
            yield run(proxied)
    finally:
        dnscache.pop("www.intranet-trap.gov.cn", None)
        dnscache.pop("www.public-portal.gov.cn", None)


@pytest.mark.slow
def test_a_crawl_through_a_loopback_proxy_is_refused_without_the_setting(sandbox, tmp_path):
    db = tmp_path / "m.db"
    sandbox.reset()
    result = crawl_sandbox(sandbox, db, "-a", "portal=henan-zhengzhou", now=SANDBOX_NOW,
                           MONITOR_ALLOW_PRIVATE_ADDRESSES="0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sandbox.requests == []  # not a single request reached the proxy
    with Store(db) as store:
        [fetch] = store.query("select error from fetches")
        assert fetch["error"] == "private_address"
