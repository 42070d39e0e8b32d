"""The ``registrycheck`` spider: one homepage per registry row, for ``monitor registry check``.

Pure fetching: no pipeline, no store. Each row's live home (``url``, or ``migrated_to`` for a
migrated row; closed rows are skipped) is fetched through the project's settings (User-Agent,
proxy, timeout), redirects are followed by hand so every hop is recorded (HTTP 3xx, a meta refresh,
or a script redirect in a tiny page; up to 5, only to allowed hosts), and the final page is reduced
to its title, names and site codes (:func:`monitor.registry_check.page_facts`). One item per row;
``monitor registry check`` reads them from the feed and compares them with the registry.

    scrapy crawl registrycheck -a region=henan -O check.jsonl
"""

from __future__ import annotations

import time
from urllib.parse import urljoin

import scrapy

from monitor.config import MonitorSettings
from monitor.extract.page import Page
from monitor.fetching import classify_failure, response_error
from monitor.registry import check_url, host_suffixes, load_registry
from monitor.registry_check import REDIRECT_STATUSES, page_facts, page_redirect

MAX_REDIRECTS = 5


def _monitor_settings(crawler):
    """(registry path, allowed host suffixes, now) from the crawl's ``MonitorSettings``."""
    mine = MonitorSettings.of(crawler)
    return mine.registry, list(mine.allow_hosts), mine.clock()
HTML_TYPES = (b"text/html", b"application/xhtml", b"text/plain", b"application/xml", b"text/xml")


class RegistryCheckSpider(scrapy.Spider):
    name = "registrycheck"
    custom_settings = {
        "ITEM_PIPELINES": {},            # pure fetch: the CLI reads the items from the feed
        "ROBOTSTXT_OBEY": False,         # one homepage per row, as the availability probe
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "RETRY_TIMES": 1,
        "REDIRECT_ENABLED": False,       # followed here, so each hop is recorded
        "METAREFRESH_ENABLED": False,
    }

    def __init__(self, region: str | None = None, portal: str | None = None, level: str | None = None,
                 parent: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.selection_args = {"region": region, "portal": portal, "level": level, "parent": parent}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        registry_path, allow, now = _monitor_settings(crawler)
        # the CLI validated the registry and the selection already: errors here are plain exceptions
        registry = load_registry(registry_path, allow)
        spider.portals = registry.select(**spider.selection_args)
        spider.suffixes = host_suffixes(allow)
        spider.now = now
        return spider

    async def start(self):
        for portal in self.portals:
            if portal.status == "closed":
                yield {"portal_id": portal.id, "checked": portal.url, "skipped": "closed"}
                continue
            home = portal.migrated_to if portal.status == "migrated" and portal.migrated_to else portal.url
            yield self._request(portal.id, home, home, [])

    def _request(self, portal_id: str, url: str, checked: str, hops: list) -> scrapy.Request:
        return scrapy.Request(url, callback=self.on_response, errback=self.on_error, dont_filter=True,
                              meta={"portal_id": portal_id, "checked": checked, "hops": hops,
                                    "t0": time.monotonic(), "dont_redirect": True, "handle_httpstatus_all": True})

    def _item(self, meta, **values) -> dict:
        return {"portal_id": meta["portal_id"], "checked": meta["checked"], "redirects": meta["hops"],
                "latency_ms": round((time.monotonic() - meta["t0"]) * 1000, 1), **values}

    def on_error(self, failure):
        meta = failure.request.meta
        yield self._item(meta, final_url=failure.request.url, status=None, error=classify_failure(failure.value))

    def on_response(self, response):
        meta = response.meta
        target, kind = None, None
        if response.status in REDIRECT_STATUSES and b"Location" in response.headers:
            target = urljoin(response.url, response.headers[b"Location"].decode("latin-1").strip())
            kind = response.status
        error = response_error(response)
        content_type = (response.headers.get(b"Content-Type") or b"text/html").split(b";")[0].strip().lower()
        page = None
        if target is None and error is None and content_type.startswith(HTML_TYPES) and \
                isinstance(response, scrapy.http.TextResponse):
            text = response.text
            refresh = page_redirect(text, len(response.body))
            if refresh:
                target, kind = urljoin(response.url, refresh), "refresh"
            else:
                page = Page(html=text, url=response.url, now=self.now, encoding=response.encoding)
        if target is not None:
            hops = meta["hops"] + [{"url": response.url, "status": kind, "to": target}]
            problem = check_url(target, self.suffixes)
            if problem is None and len(hops) <= MAX_REDIRECTS and target not in [h["url"] for h in hops]:
                yield self._request(meta["portal_id"], target, meta["checked"], hops)
                return
            why = problem or ("redirect loop" if len(hops) <= MAX_REDIRECTS else "too many redirects")
            yield self._item({**meta, "hops": hops}, final_url=target, status=response.status, error="redirect",
                             unfollowed=why)
            return
        yield self._item(meta, final_url=response.url, status=response.status, error=error,
                         facts=page_facts(page) if page is not None else None)
