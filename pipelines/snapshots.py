"""Storage, last in the pipeline: every fetch, body, entry, column and the portal's crawl summary.

Writes are buffered (``MONITOR_BATCH_SIZE``) and flushed in one transaction; the crawl's heartbeat
moves with each flush, so a crawl whose process dies is recognised as aborted later.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict

from scrapy import signals
from scrapy.exceptions import NotConfigured

from monitor.clock import iso
from monitor.judging import judge_crawl
from monitor.items import PageItem, PortalDoneItem, ProbeRoundItem, VisitItem
from monitor.store import Store, new_id, stable_id, utcnow
from monitor.store.visits import rollup_visits, validate_round

logger = logging.getLogger(__name__)


class SnapshotsPipeline:
    def __init__(self, db_path: str, batch_size: int, heartbeat_stale: int, stats, now_iso: str | None,
                 invalid_share: float = 0.5, invalid_min: int = 4, retention_days: int = 30):
        self.db_path = db_path
        self.batch_size = batch_size
        self.heartbeat_stale = heartbeat_stale
        self.stats = stats
        self.now_iso = now_iso
        self.invalid_share = invalid_share
        self.invalid_min = invalid_min
        self.retention_days = retention_days
        self.store: Store | None = None
        self.acc: dict[str, dict] = defaultdict(_new_acc)
        self.counts: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        db = crawler.settings.get("MONITOR_DB")
        if not db:
            raise NotConfigured("MONITOR_DB is empty")
        pipeline = cls(db, crawler.settings.getint("MONITOR_BATCH_SIZE", 200),
                       crawler.settings.getint("MONITOR_HEARTBEAT_STALE", 900), crawler.stats,
                       crawler.settings.get("MONITOR_NOW") or None,
                       crawler.settings.getfloat("MONITOR_PROBE_INVALID_SHARE", 0.5),
                       crawler.settings.getint("MONITOR_PROBE_INVALID_MIN_PORTALS", 4),
                       crawler.settings.getint("MONITOR_VISIT_RETENTION_DAYS", 30))
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.judge_on_close, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        self.store = Store(self.db_path, heartbeat_stale=self.heartbeat_stale)
        self.crawl_id = self.store.begin_crawl(spider.name, getattr(spider, "selection", ""),
                                               now=self.now_iso, crawl_id=getattr(spider, "crawl_id", None))
        if getattr(spider, "portals", None):
            self.store.sync_portals(spider.registry.portals)

    def close_spider(self):
        if self.store is None:
            return
        for portal_id in list(self.acc):
            self._write_portal(PortalDoneItem(self.crawl_id, portal_id, "incomplete"))
        reason = self.crawler.stats.get_value("finish_reason") or "finished"
        status = "finished" if reason == "finished" else "aborted"
        if self.crawler.spider.name == "probe":
            self.store.flush()
            self.counts["rolled_up"] = rollup_visits(self.store, self.retention_days, self.now_iso)
        counts = dict(self.counts)
        counts["portals"] = counts.get("portals", 0)
        self.store.finish_crawl(self.crawl_id, status, counts)
        self.finished = status == "finished"
        self.store.close()

    def judge_on_close(self, spider, reason):
        """Judge the crawl once every pipeline has closed (Scrapy closes pipelines in reverse order,
        so the reposts pipeline's matches are only complete by the ``spider_closed`` signal)."""
        if spider.name != "portal" or not getattr(self, "finished", False):
            return
        with Store(self.db_path, heartbeat_stale=self.heartbeat_stale) as store:
            judge_crawl(store, self.crawl_id, self.crawler.settings)

    def process_item(self, item):
        if self.store is None:
            return item
        if isinstance(item, PageItem):
            self._write_page(item)
        elif isinstance(item, PortalDoneItem):
            self._write_portal(item)
        elif isinstance(item, VisitItem):
            self.store.add("visits", {
                "id": new_id(), "round_id": item.round_id, "portal_id": item.portal_id, "at": item.at,
                "ok": int(item.ok), "status": item.status, "error": item.error,
                "latency_ms": item.latency_ms, "valid": 1})
            self.counts["visits"] += 1
            self.counts["failures"] += 0 if item.ok else 1
            if item.error:
                self.counts[f"error_{item.error}"] += 1
        elif isinstance(item, ProbeRoundItem):
            self.store.flush()
            if not validate_round(self.store, item.round_id, self.invalid_share, self.invalid_min):
                self.counts["invalid_rounds"] += 1
                logger.warning("probe round %s: most portals failed at once; round marked invalid "
                               "(the monitor's own network is the likely cause)", item.round_id)
            self.counts["rounds"] += 1
        else:
            return item
        if self.store.pending() >= self.batch_size:
            self.store.flush()
            self.store.heartbeat(self.crawl_id)
        return item

    # ------------------------------------------------------------------ pages
    def _write_page(self, item: PageItem) -> None:
        store = self.store
        body_hash = store.add_body(item.body, item.charset) if item.body else None
        fetch_id = stable_id(item.crawl_id, item.portal_id, item.kind, item.url, str(item.rendered))
        store.add("fetches", {
            "id": fetch_id, "crawl_id": item.crawl_id, "portal_id": item.portal_id, "url": item.url,
            "final_url": item.final_url, "kind": item.kind, "depth": item.depth,
            "parent_url": item.parent_url, "link_text": item.link_text, "status": item.status,
            "error": item.error, "latency_ms": item.latency_ms, "size": item.size,
            "charset": item.charset, "fetched_at": item.fetched_at, "body_hash": body_hash,
            "rendered": int(item.rendered)})
        self.counts["pages"] += 1
        self.stats.inc_value("monitor/pages")
        if item.error:
            self.counts["failures"] += 1
            self.counts[f"error_{item.error}"] += 1
            self.stats.inc_value(f"monitor/failures/{item.error}")
        acc = self.acc[item.portal_id]
        now = utcnow()
        column_url = item.final_url or item.url
        for entry in item.entries or []:
            published = iso(entry.published)
            store.add("entries", {
                "id": stable_id(item.portal_id, entry.url or entry.title), "portal_id": item.portal_id,
                "column_url": column_url, "url": entry.url, "title": entry.title,
                "published": published, "first_seen": now, "last_seen": now,
                "first_crawl_id": item.crawl_id})
        if item.kind == "homepage":
            self._homepage(acc, item)
        elif item.kind == "column":
            newest, _ = _newest(item.entries)
            col = item.column
            acc["columns"][item.url] = {
                "name": getattr(col, "name", None) or item.link_text,
                "type": getattr(col, "type", None), "max_age_days": getattr(col, "max_age_days", None),
                "blank": int(bool(getattr(col, "blank", False))), "entries": len(item.entries or []),
                "newest": newest, "fetch_id": fetch_id,
                "failed": item.error is not None}
        elif item.kind == "asset" and item.error_link and item.error_link.get("found"):
            if not (acc["error_link"] or {}).get("found"):
                acc["error_link"] = {**item.error_link, "via": item.final_url or item.url}
        elif item.kind == "migrated":
            acc["homepage"] = {"status": item.status, "error": item.error, "url": item.final_url}

    def _homepage(self, acc: dict, item: PageItem) -> None:
        if item.rendered:
            acc["rendered"] = True
        if item.rendered and acc["homepage"] is not None:  # a rendered retry: it adds elements only
            for key in ("error_link", "policy_column"):
                found = (getattr(item, key) or {}).get("found")
                if found and not (acc[key] or {}).get("found"):
                    acc[key] = {**getattr(item, key), "rendered": True}
            return
        newest, dated = _newest(item.entries)
        acc["homepage"] = {"status": item.status, "error": item.error, "url": item.final_url,
                           "newest": newest, "dated": dated,
                           "entries": len(item.entries or [])}
        if item.site is not None:
            acc["site"] = {"name": getattr(item.site, "name", None),
                           "site_code": getattr(item.site, "site_code", None)}
        for key in ("error_link", "policy_column"):
            value = getattr(item, key)
            if value is not None and not (acc[key] or {}).get("found"):
                acc[key] = value

    # ------------------------------------------------------------------ portals
    def _write_portal(self, done: PortalDoneItem) -> None:
        acc = self.acc.pop(done.portal_id, None) or _new_acc()
        store = self.store
        discovered = {c["url"]: c for c in done.columns}
        fetched_cols = acc["columns"]
        for url in set(discovered) | set(fetched_cols):
            info = fetched_cols.get(url, {})
            disc = discovered.get(url, {})
            fetched = bool(info) and not info.get("failed")
            store.add("columns", {
                "crawl_id": done.crawl_id, "portal_id": done.portal_id, "url": url,
                "name": info.get("name") or disc.get("text"), "type": info.get("type"),
                "max_age_days": info.get("max_age_days"), "newest": info.get("newest"),
                "blank": info.get("blank", 0), "entries": info.get("entries", 0),
                "fetched": int(fetched), "fetch_id": info.get("fetch_id"), "link_text": disc.get("text")})
        home = acc["homepage"] or {}
        self.counts["portals"] += 1
        self.counts[f"outcome_{done.outcome}"] += 1
        store.add("portal_crawls", {
            "crawl_id": done.crawl_id, "portal_id": done.portal_id, "outcome": done.outcome,
            "homepage_url": home.get("url") or done.homepage_url, "homepage_status": home.get("status"),
            "homepage_error": home.get("error"), "homepage_newest": home.get("newest"),
            "homepage_dated_items": home.get("dated", 0),
            # no list items at all, only links to columns: judged by its second-level pages
            "navigation_only": int(done.outcome == "fetched" and not home.get("entries") and bool(discovered)),
            "site_name": (acc["site"] or {}).get("name"),
            "site_code_found": (acc["error_link"] or {}).get("site_code") or (acc["site"] or {}).get("site_code"),
            "migrated_ok": None if done.migrated_ok is None else int(done.migrated_ok),
            "pages": done.pages, "columns_discovered": len(discovered),
            "columns_fetched": sum(1 for c in fetched_cols.values() if not c.get("failed")),
            "finished_at": utcnow(),
            "error_link": json.dumps(acc["error_link"], ensure_ascii=False) if acc["error_link"] else None,
            "policy_column": json.dumps(acc["policy_column"], ensure_ascii=False) if acc["policy_column"] else None,
            "rendered": int(acc["rendered"])})


def _newest(entries) -> tuple[str | None, int]:
    """The newest publication date among entries (ISO text) and how many carry a date."""
    dates = [iso(e.published) for e in entries or [] if e.published]
    return (max(dates) if dates else None), len(dates)


def _new_acc() -> dict:
    return {"homepage": None, "site": None, "error_link": None, "policy_column": None,
            "columns": {}, "rendered": False}
