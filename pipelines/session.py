"""One crawl's session with the store: one connection, the crawl record, and the closing steps in
an explicit order.

Every pipeline that writes asks ``CrawlSession.of(crawler)`` for the same session, so a crawl opens
the store once. Pipelines only buffer rows while items flow; when the spider closes (after every
pipeline's ``close_spider``), the session runs, in this order: flush the buffered rows, the steps
pipelines registered with ``at_close`` by phase (``MATCH``: reposts matching, ``ROLLUP``: the
probe's visit roll-up), the crawl record's end, judging a finished ``portal`` crawl, rolling up
old crawls (``MONITOR_FETCH_RETENTION_DAYS``), announcing what the judging found
(``MONITOR_NOTIFY_ON_CLOSE``), and closing the store. Nothing depends on the order in which Scrapy
closes pipelines.

The session also logs progress each ``MONITOR_PROGRESS_INTERVAL`` seconds (portals done of the
selection, pages, failures and an ETA) and moves the crawl's heartbeat with it, so ``monitor
crawls`` shows where a running crawl stands.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable

from scrapy import signals
from twisted.internet import task

from monitor.clock import duration_text
from monitor.config import MonitorSettings
from monitor.judging import judge_crawl
from monitor.notify import notify_after_crawl
from monitor.store import Store
from monitor.store.retention import roll_up
from monitor.store.states import crawl_now

logger = logging.getLogger(__name__)

MATCH, ROLLUP = 10, 20


class CrawlSession:
    def __init__(self, crawler, settings: MonitorSettings):
        self.crawler = crawler
        self.settings = settings
        self.store: Store | None = None
        self.crawl_id: str | None = None
        self.counts: Counter = Counter()
        self.total: int | None = None  # units of progress (portals, or visits for the probe)
        self.unit = "portals"
        self.started = time.monotonic()
        self._steps: list[tuple[int, str, Callable[[], None]]] = []
        self._loop: task.LoopingCall | None = None
        self.finished = False

    @classmethod
    def of(cls, crawler) -> "CrawlSession":
        session = getattr(crawler, "_monitor_session", None)
        if session is None:
            session = cls(crawler, MonitorSettings.of(crawler))
            crawler._monitor_session = session
            crawler.signals.connect(session.close, signal=signals.spider_closed)
        return session

    # ------------------------------------------------------------------ opening
    def open(self) -> Store:
        """Open the store and record the crawl (once, whichever pipeline asks first)."""
        if self.store is not None:
            return self.store
        spider = self.crawler.spider
        self.store = Store(self.settings.db, heartbeat_stale=self.settings.heartbeat_stale)
        wanted = getattr(spider, "crawl_id", None)
        earlier = self.store.crawl(wanted) if wanted else None
        self.crawl_id = self.store.begin_crawl(spider.name, getattr(spider, "selection", ""),
                                               now=self.settings.now or None, crawl_id=wanted)
        if earlier is not None:  # a resumed crawl: its counts go on from where the stop left them
            self.counts.update({k: v for k, v in json.loads(earlier["counts"] or "{}").items()
                                if isinstance(v, int)})
            logger.info("crawl %s resumed (was %s)", self.crawl_id, earlier["status"])
        registry = getattr(spider, "registry", None)
        if registry is not None:
            self.store.sync_portals(registry.portals)
        self.total = getattr(spider, "progress_total", None)
        self.unit = getattr(spider, "progress_unit", self.unit)
        if self.settings.progress:
            self._loop = task.LoopingCall(self.report)
            self._loop.start(self.settings.progress_interval, now=False)
        return self.store

    def at_close(self, phase: int, name: str, step: Callable[[], None]) -> None:
        """Run ``step`` when the spider closes, after the rows are flushed and before the crawl
        record ends (so its counts are recorded)."""
        self._steps.append((phase, name, step))

    # ------------------------------------------------------------------ writing
    def written(self) -> None:
        """A pipeline added rows: flush a full batch and move the heartbeat."""
        if self.store.pending() >= self.settings.batch_size:
            self.store.flush()
            self.store.heartbeat(self.crawl_id)

    def portal_saved(self, portal_id: str) -> None:
        """Note in the spider's JOBDIR state that a portal's record is saved: a resumed crawl
        does not fetch it again (monitor/resume.py)."""
        state = getattr(self.crawler.spider, "state", None)
        if isinstance(state, dict):
            state["crawl_id"] = self.crawl_id
            state.setdefault("done_portals", []).append(portal_id)

    # ------------------------------------------------------------------ progress
    def progress(self) -> dict:
        elapsed = time.monotonic() - self.started
        done = self.counts["visits"] if self.unit == "visits" else self.counts["portals"]
        out = {"unit": self.unit, "done": done, "total": self.total, "pages": self.counts["pages"],
               "failures": self.counts["failures"], "elapsed_s": round(elapsed)}
        if self.total and done:
            out["eta_s"] = round(elapsed / done * max(0, self.total - done))
        return out

    def report(self) -> None:
        if self.store is None or self.crawl_id is None:
            return
        p = self.progress()
        eta = f", ETA {duration_text(p['eta_s'])}" if "eta_s" in p else ""
        total = f"/{p['total']}" if p["total"] is not None else ""
        logger.info("progress: %s%s %s done, %s pages, %s failures, %s elapsed%s", p["done"], total,
                    p["unit"], p["pages"], p["failures"], duration_text(p["elapsed_s"]), eta)
        self.store.flush()
        self.store.heartbeat(self.crawl_id, p)

    # ------------------------------------------------------------------ closing
    def close(self, spider, reason) -> None:
        if self.store is None:
            return
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        store = self.store
        try:
            store.flush()
            for _, name, step in sorted(self._steps, key=lambda s: s[0]):
                try:
                    step()
                except Exception:  # one failed step must not lose the crawl record
                    logger.exception("closing step %s failed", name)
            reason = self.crawler.stats.get_value("finish_reason") or reason or "finished"
            status = "finished" if reason == "finished" else "aborted"
            counts = dict(self.counts)
            counts["portals"] = counts.get("portals", 0)
            store.heartbeat(self.crawl_id, self.progress())
            store.finish_crawl(self.crawl_id, status, counts)
            self.finished = status == "finished"
            state = getattr(spider, "state", None)
            if self.finished and isinstance(state, dict):  # nothing left to resume in this JOBDIR
                state.pop("crawl_id", None)
                state.pop("done_portals", None)
            if self.finished and spider.name == "portal":
                judge_crawl(store, self.crawl_id, self.settings)
                rolled = roll_up(store, self.settings.fetch_retention_days, self.settings.clock())
                if rolled["crawls"]:
                    logger.info("retention: %(fetches)d fetch and %(columns)d column rows of %(crawls)d old "
                                "crawl(s) rolled up", rolled)
                if self.settings.notify_on_close:  # the last phase: announce what the judging found
                    notify_after_crawl(store, self.settings, crawl_now(store.crawl(self.crawl_id)))
        finally:
            store.close()
            self.store = None
