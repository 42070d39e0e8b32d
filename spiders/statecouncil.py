"""The ``statecouncil`` spider: State Council releases from www.gov.cn, each with its exact time.

Sources, in order: the JSON feeds behind the 最新政策 and 要闻 lists, and the 国务院信息 list
(``/pushinfo/v150203/``). When a feed fails or is empty, its HTML list pages are tried instead. Each
release of the window (``MONITOR_REPOST_WINDOW_DAYS``, from ``MONITOR_NOW``) then has its page fetched
for the exact time (``firstpublishedtime``, ``div.pages-date``); a failed page keeps the list's date.

``MONITOR_GOVCN_BASE`` (default ``https://www.gov.cn``) sets scheme and host, so a sandbox can serve
``http://www.gov.cn`` through ``http_proxy``. Only URLs on that host are ever requested; redirects are
followed by hand, and only on that host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy

from monitor.clock import iso
from monitor.config import MonitorSettings
from monitor.items import ReleaseItem
from monitor.match import release_id_for_url
from monitor.releases import parse_feed, parse_list_html, parse_release_page
from monitor.ids import new_id

MAX_REDIRECTS = 3


@dataclass(frozen=True)
class Source:
    category: str  # stored as the release's category
    feed: str | None  # JSON feed path
    lists: tuple[str, ...]  # HTML list paths: the list itself (no feed), or the feed's fallbacks


SOURCES = (
    Source("最新政策", "/zhengce/zuixin/ZUIXINZHENGCE.json", ("/zhengce/zuixin/home.htm", "/zhengce/zuixin/")),
    Source("要闻", "/yaowen/liebiao/YAOWENLIEBIAO.json", ("/yaowen/liebiao/home.htm", "/yaowen/liebiao/")),
    Source("国务院信息", None, ("/pushinfo/v150203/index.htm", "/pushinfo/v150203/")),
)


class StateCouncilSpider(scrapy.Spider):
    name = "statecouncil"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = MonitorSettings.of(crawler)  # validated: an http(s) base, an ISO clock
        spider.base = settings.govcn_base.rstrip("/")
        parts = urlsplit(spider.base)
        spider.scheme, spider.netloc, spider.host = parts.scheme, parts.netloc, parts.hostname.lower()
        spider.now = settings.clock()
        spider.window_start = (spider.now - timedelta(days=settings.repost_window_days)).date()
        spider.max_releases = settings.govcn_max_releases
        spider.crawl_id = new_id()
        spider.selection = spider.base
        spider.seen: set[str] = set()
        return spider

    async def start(self):
        for source in SOURCES:
            if source.feed:
                yield self._get(self.base + source.feed, self.parse_feed, source=source, step=-1)
            else:
                yield self._get(self.base + source.lists[0], self.parse_list, source=source, step=0)

    # ------------------------------------------------------------------ requests
    def _local(self, url: str) -> str | None:
        """``url`` on the base host with the base's scheme, or None when it is off the host."""
        parts = urlsplit(url)
        if (parts.hostname or "").lower() != self.host:
            return None
        return urlunsplit((self.scheme, self.netloc, parts.path or "/", parts.query, ""))

    def _get(self, url: str, callback, hops: int = 0, **meta) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_error, dont_filter=True,
                              meta={**meta, "hops": hops, "dont_redirect": True,
                                    "handle_httpstatus_all": True})

    def _redirect(self, response):
        """A same-host redirect to follow, or None."""
        if not (300 <= response.status < 400) or b"Location" not in response.headers:
            return None
        if response.meta["hops"] >= MAX_REDIRECTS:
            return None
        target = self._local(urljoin(response.url, response.headers[b"Location"].decode("latin-1").strip()))
        if target is None:
            self.logger.info("not following off-host redirect from %s", response.url)
            return None
        meta = {k: v for k, v in response.meta.items() if k in ("source", "step", "row")}
        return self._get(target, response.request.callback, hops=response.meta["hops"] + 1, **meta)

    def on_error(self, failure):
        request = failure.request
        self.logger.info("%s: %s", request.url, failure.getErrorMessage())
        if "row" in request.meta:
            yield self._item(request.meta["source"], request.meta["row"], None)
        else:
            yield from self._fallback(request.meta["source"], request.meta["step"])

    def _fallback(self, source: Source, step: int):
        """The next HTML list of ``source`` after ``step`` (-1 is the feed), if any."""
        nxt = step + 1
        if nxt < len(source.lists):
            self.crawler.stats.inc_value("monitor/govcn/fallbacks")
            yield self._get(self.base + source.lists[nxt], self.parse_list, source=source, step=nxt)
        else:
            self.logger.warning("no release list of %s could be read", source.category)
            self.crawler.stats.inc_value("monitor/govcn/lists_failed")

    # ------------------------------------------------------------------ callbacks
    def parse_feed(self, response):
        redirect = self._redirect(response)
        if redirect is not None:
            yield redirect
            return
        rows = parse_feed(response.body, response.url) if response.status == 200 else []
        yield from self._rows(response, rows)

    def parse_list(self, response):
        redirect = self._redirect(response)
        if redirect is not None:
            yield redirect
            return
        rows = parse_list_html(response.body, response.url) if response.status == 200 else []
        yield from self._rows(response, rows)

    def _rows(self, response, rows):
        source, step = response.meta["source"], response.meta["step"]
        if not rows:
            self.logger.info("%s: no releases (HTTP %s)", response.url, response.status)
            yield from self._fallback(source, step)
            return
        self.crawler.stats.inc_value(f"monitor/govcn/list_rows/{source.category}", len(rows))
        for row in rows:
            if row.published is not None and _day(row.published) < self.window_start:
                continue
            rid = release_id_for_url(row.url)
            if rid in self.seen or len(self.seen) >= self.max_releases:
                continue
            self.seen.add(rid)
            local = self._local(row.url)
            if local is None:  # listed by gov.cn but hosted elsewhere: kept, never fetched
                yield self._item(source, row, None)
                continue
            yield self._get(local, self.parse_release, source=source, row=row)

    def parse_release(self, response):
        redirect = self._redirect(response)
        if redirect is not None:
            yield redirect
            return
        page = parse_release_page(response.body, response.url) if response.status == 200 else None
        if page is None:
            self.crawler.stats.inc_value("monitor/govcn/pages_failed")
        yield self._item(response.meta["source"], response.meta["row"], page)

    def _item(self, source: Source, row, page) -> ReleaseItem:
        published = (page.published if page is not None else None) or row.published
        exact = page is not None and page.published is not None
        self.crawler.stats.inc_value("monitor/govcn/releases_exact" if exact else "monitor/govcn/releases_listed_date")
        return ReleaseItem(crawl_id=self.crawl_id, url=row.url,
                           title=_title(row.title, page.title if page is not None else None),
                           published=iso(published), category=source.category,
                           source=page.source if page is not None else None)


def _title(listed: str, on_page: str | None) -> str:
    """The list's title, unless the list cut it (``…``) and the page has the whole one."""
    if on_page and (not listed or listed.rstrip().endswith(("…", "..."))):
        return on_page
    return listed or on_page or ""


def _day(value):
    return value.date() if hasattr(value, "hour") else value
