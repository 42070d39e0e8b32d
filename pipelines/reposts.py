"""Releases and reposts (issue 5): stores the ``statecouncil`` spider's releases, and at the end of a
crawl matches entries against the stored releases.

- ``statecouncil`` crawl: its releases are written (in batches, moving the crawl's heartbeat), then
  every entry of the window (``MONITOR_REPOST_WINDOW_DAYS``) is matched, since new releases may
  match entries stored by earlier portal crawls.
- any crawl that yields pages (``portal``): the entries of the portals it crawled, seen during this
  crawl, are matched against the releases of the window.

The snapshots pipeline (900) begins and finishes the crawl record and stores the entries; Scrapy
closes pipelines in reverse order, so when ``close_spider`` runs here the entries are in the store
and the crawl is recorded; this pipeline only adds ``releases``/``reposts`` to its counts.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from scrapy.exceptions import NotConfigured

from monitor.clock import parse_now
from monitor.items import PageItem, ReleaseItem
from monitor.match import DEFAULT_THRESHOLD, release_id_for_url
from monitor.reposts import match_window, setting, window_days
from monitor.store import Store, utcnow
from monitor.store.reposts import add_crawl_counts, upsert_releases

logger = logging.getLogger(__name__)

#: a crawl's entries are those seen after its start, less this slack for clock steps
SEEN_SLACK = timedelta(minutes=5)


class RepostsPipeline:
    def __init__(self, db_path: str, window_days: int, threshold: float, batch_size: int,
                 heartbeat_stale: int, now_setting: str | None, stats):
        self.db_path = db_path
        self.window_days = window_days
        self.threshold = threshold
        self.batch_size = batch_size
        self.heartbeat_stale = heartbeat_stale
        self.now_setting = now_setting
        self.stats = stats
        self.store: Store | None = None
        self.pending: list[dict] = []
        self.releases = 0
        self.portal_ids: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        db = settings.get("MONITOR_DB")
        if not db:
            raise NotConfigured("MONITOR_DB is empty")
        pipeline = cls(db, window_days(settings),
                       float(setting(settings, "MONITOR_REPOST_THRESHOLD", DEFAULT_THRESHOLD)),
                       settings.getint("MONITOR_BATCH_SIZE", 200),
                       settings.getint("MONITOR_HEARTBEAT_STALE", 900),
                       settings.get("MONITOR_NOW") or None, crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self):
        self.store = Store(self.db_path, heartbeat_stale=self.heartbeat_stale)
        self.started = utcnow()
        self.crawl_id = getattr(self.crawler.spider, "crawl_id", None)

    def process_item(self, item):
        if self.store is None:
            return item
        if isinstance(item, ReleaseItem):
            if item.url and item.title:
                self.pending.append({
                    "id": release_id_for_url(item.url), "title": item.title, "url": item.url,
                    "published": item.published, "category": item.category, "source": item.source})
                if len(self.pending) >= self.batch_size:
                    self._flush()
        elif isinstance(item, PageItem) and item.entries:
            self.portal_ids.add(item.portal_id)
        return item

    def _flush(self) -> None:
        if not self.pending:
            return
        self.releases += upsert_releases(self.store, self.pending)
        self.stats.inc_value("monitor/releases", len(self.pending))
        self.pending = []
        if self.crawl_id and self.store.crawl(self.crawl_id):
            self.store.heartbeat(self.crawl_id)

    def close_spider(self):
        if self.store is None:
            return
        try:
            self._flush()
            spider = self.crawler.spider
            now = parse_now(self.now_setting)
            since = (now - timedelta(days=self.window_days)).date()
            counts = {}
            if spider.name == "statecouncil":
                counts["releases"] = self.releases
                result = match_window(self.store, since=since, now=now, threshold=self.threshold)
            elif self.portal_ids:
                seen_since = _minus(self.started, SEEN_SLACK)
                result = match_window(self.store, since=since, now=now, threshold=self.threshold,
                                      portal_ids=sorted(self.portal_ids), seen_since=seen_since)
            else:
                result = None
            if result is not None:
                counts["reposts"] = result["matched"]
                counts["entries_matched_against"] = result["entries"]
                self.stats.set_value("monitor/reposts", result["matched"])
                logger.info("reposts: %(entries)d entries against %(releases)d releases, "
                            "%(matched)d matched", result)
            if counts and self.crawl_id:
                add_crawl_counts(self.store, self.crawl_id, counts)
        finally:
            self.store.close()
            self.store = None


def _minus(utc_iso: str, delta: timedelta) -> str:
    return (datetime.fromisoformat(utc_iso) - delta).isoformat(timespec="seconds")
