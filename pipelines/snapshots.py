"""Storage, last in the pipeline: every fetch, body and list entry, each portal's ``PortalCrawl``
record, and the probe's visits. It only saves: the record is built by ``PortalCrawlPipeline``.

Writes are buffered (``MONITOR_BATCH_SIZE``) and flushed in one transaction; the crawl's heartbeat
moves with each flush, so a crawl whose process dies is recognised as aborted later.
"""

from __future__ import annotations

import logging

from monitor.ids import utc_iso
from monitor.items import PageItem, PortalDoneItem, ProbeRoundItem, VisitItem
from monitor.store.crawls import save_page, save_portal_crawl, save_visit
from monitor.store.visits import rollup_visits, validate_round
from pipelines.session import ROLLUP, CrawlSession

logger = logging.getLogger(__name__)


class SnapshotsPipeline:
    def __init__(self, session: CrawlSession, stats):
        self.session = session
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(CrawlSession.of(crawler), crawler.stats)
        pipeline.session.at_close(ROLLUP, "visit roll-up", pipeline.rollup)
        return pipeline

    def open_spider(self):
        self.session.open()

    def process_item(self, item):
        store, counts = self.session.store, self.session.counts
        if store is None:
            return item
        if isinstance(item, PageItem) and item.kind == "linkcheck":  # kept with the portal's record
            counts["link_checks"] += 1
        elif isinstance(item, PageItem):
            save_page(store, item, utc_iso(self.session.settings.clock()))
            counts["pages"] += 1
            self.stats.inc_value("monitor/pages")
            if item.error:
                counts["failures"] += 1
                counts[f"error_{item.error}"] += 1
                self.stats.inc_value(f"monitor/failures/{item.error}")
        elif isinstance(item, PortalDoneItem):
            if item.record is not None:
                save_portal_crawl(store, item.record)
            self.session.portal_saved(item.portal_id)
            counts["portals"] += 1
            counts[f"outcome_{item.outcome}"] += 1
        elif isinstance(item, VisitItem):
            save_visit(store, item)
            counts["visits"] += 1
            counts["failures"] += 0 if item.ok else 1
            if item.error:
                counts[f"error_{item.error}"] += 1
        elif isinstance(item, ProbeRoundItem):
            store.flush()
            settings = self.session.settings
            if not validate_round(store, item.round_id, settings.probe_invalid_share,
                                  settings.probe_invalid_min_portals):
                counts["invalid_rounds"] += 1
                logger.warning("probe round %s: most portals failed at once; round marked invalid "
                               "(the monitor's own network is the likely cause)", item.round_id)
            counts["rounds"] += 1
        else:
            return item
        self.session.written()
        return item

    def rollup(self) -> None:
        """Visits older than the retention are folded into daily rows (probe crawls)."""
        if self.session.crawler.spider.name != "probe":
            return
        settings = self.session.settings
        self.session.store.flush()
        self.session.counts["rolled_up"] = rollup_visits(self.session.store, settings.visit_retention_days,
                                                         settings.now or None)
