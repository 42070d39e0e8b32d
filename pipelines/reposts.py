"""Releases and reposts: stores the ``statecouncil`` spider's releases, and when a crawl
closes matches entries against the stored releases.

- ``statecouncil`` crawl: its releases are written (in batches), then every entry of the window
  (``MONITOR_REPOST_WINDOW_DAYS``) is matched, since new releases may match entries stored by
  earlier portal crawls.
- any crawl that yields pages (``portal``): the entries of the portals it crawled, seen during this
  crawl, are matched against the releases of the window.

Matching is a closing step of the crawl session (phase ``MATCH``): it runs after every buffered row
(the entries included) is written and before the crawl record ends and the crawl is judged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from monitor.ids import utc_iso, utcnow
from monitor.items import PageItem, ReleaseItem
from monitor.match import release_id_for_url
from monitor.reposts import match_window
from monitor.store.reposts import upsert_releases
from pipelines.session import MATCH, CrawlSession

logger = logging.getLogger(__name__)

#: a crawl's entries are those seen after its start, less this slack for clock steps
SEEN_SLACK = timedelta(minutes=5)


class RepostsPipeline:
    def __init__(self, session: CrawlSession, stats):
        self.session = session
        self.stats = stats
        self.releases = 0
        self.pending: list[dict] = []
        self.portal_ids: set[str] = set()
        self.started = utcnow()

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(CrawlSession.of(crawler), crawler.stats)
        pipeline.session.at_close(MATCH, "reposts", pipeline.match)
        return pipeline

    def open_spider(self):
        self.session.open()
        self.started = utc_iso(self.session.settings.clock())  # entries are seen on the crawl's clock

    def process_item(self, item):
        if isinstance(item, ReleaseItem):
            if item.url and item.title:
                self.pending.append({
                    "id": release_id_for_url(item.url), "title": item.title, "url": item.url,
                    "published": item.published, "category": item.category, "source": item.source})
                if len(self.pending) >= self.session.settings.batch_size:
                    self._flush()
        elif isinstance(item, PageItem) and item.entries:
            self.portal_ids.add(item.portal_id)
        return item

    def _flush(self) -> None:
        """Releases are upserted (a stored exact time is never replaced by a bare date)."""
        if not self.pending:
            return
        self.releases += upsert_releases(self.session.store, self.pending)
        self.stats.inc_value("monitor/releases", len(self.pending))
        self.pending = []
        self.session.store.heartbeat(self.session.crawl_id)

    def match(self) -> None:
        self._flush()
        settings = self.session.settings
        store = self.session.store
        spider = self.session.crawler.spider
        now = settings.clock()
        since = (now - timedelta(days=settings.repost_window_days)).date()
        counts = self.session.counts
        if spider.name == "statecouncil":
            counts["releases"] = self.releases
            result = match_window(store, since=since, now=now, threshold=settings.repost_threshold)
        elif self.portal_ids:
            seen_since = _minus(self.started, SEEN_SLACK)
            result = match_window(store, since=since, now=now, threshold=settings.repost_threshold,
                                  portal_ids=sorted(self.portal_ids), seen_since=seen_since)
        else:
            return
        counts["reposts"] = result["matched"]
        counts["entries_matched_against"] = result["entries"]
        self.stats.set_value("monitor/reposts", result["matched"])
        logger.info("reposts: %(entries)d entries against %(releases)d releases, %(matched)d matched", result)


def _minus(utc_iso: str, delta: timedelta) -> str:
    return (datetime.fromisoformat(utc_iso) - delta).isoformat(timespec="seconds")
