"""One ``PortalCrawl`` record per portal: every enriched page folded in, closed by the spider's
``PortalDoneItem`` and attached to it for the snapshots pipeline to save."""

from __future__ import annotations

from monitor.crawlrecord import PortalCrawl
from monitor.items import PageItem, PortalDoneItem
from monitor.store.crawls import save_portal_crawl
from pipelines.session import CrawlSession


class PortalCrawlPipeline:
    def __init__(self, session: CrawlSession):
        self.session = session
        self.records: dict[str, PortalCrawl] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(CrawlSession.of(crawler))

    def process_item(self, item):
        if isinstance(item, PageItem):
            self._record(item).add_page(item)
        elif isinstance(item, PortalDoneItem):
            item.record = self.records.pop(item.portal_id, None) or PortalCrawl(item.crawl_id, item.portal_id)
            item.record.finish(item)
        return item

    def _record(self, item: PageItem) -> PortalCrawl:
        record = self.records.get(item.portal_id)
        if record is None:
            record = self.records[item.portal_id] = PortalCrawl(item.crawl_id, item.portal_id)
        return record

    def close_spider(self):
        """Portals the crawl did not finish (stopped, or killed by a time limit) are saved as
        ``incomplete``: their rules say unknown rather than judging half a crawl."""
        if self.session.store is None:
            return
        for record in self.records.values():
            save_portal_crawl(self.session.store, record)
            self.session.counts["portals"] += 1
            self.session.counts["outcome_incomplete"] += 1
        self.records.clear()
