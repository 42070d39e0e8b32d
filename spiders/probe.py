"""The ``probe`` spider: homepage-only availability visits, cheap enough to run 20+ times a day.

The official rule (国办秘函〔2019〕19号, 站点无法访问): a visit fails when the homepage has not loaded
after 15 s; no retries, no rendering, nothing but the homepage. ``-a rounds=N -a interval=S`` makes N
spaced rounds in one process. A round in which most portals fail at once says more about the
monitor's own network than about the portals: it is marked invalid and counted against no one.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import scrapy

from monitor.clock import iso
from monitor.config import MonitorSettings
from monitor.fetching import classify_failure, response_error
from monitor.items import ProbeRoundItem, VisitItem
from monitor.ids import new_id
from spiders.base import RegistrySpider

# A visit succeeds when the homepage answered (a redirect counts: the server is up). An anti-bot
# challenge page ("blocked") is recorded as a failed visit of class blocked, which the reachable rule
# ignores (MONITOR_REACHABLE_IGNORE_ERRORS): the monitor cannot tell whether a visitor would see the
# page, so such a visit says nothing either way.
REACHABLE_ERRORS = {None}


class ProbeSpider(RegistrySpider):
    name = "probe"
    custom_settings = {
        "DOWNLOAD_TIMEOUT": 15,
        "RETRY_ENABLED": False,
        "ROBOTSTXT_OBEY": False,  # one homepage request, no deeper: robots.txt would double the cost
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "ITEM_PIPELINES": {"pipelines.snapshots.SnapshotsPipeline": 900},
    }

    def __init__(self, rounds: str = "1", interval: str = "0", **kwargs):
        super().__init__(**kwargs)
        try:
            self.rounds = max(1, int(rounds))
            self.interval = max(0.0, float(interval))
        except ValueError:
            raise ValueError(f"rounds and interval must be numbers (got {rounds!r}, {interval!r})") from None

    def setup(self, settings: MonitorSettings) -> None:
        super().setup(settings)
        self.crawl_id = new_id()
        self.started = time.monotonic()
        self.targets = [p for p in self.portals if p.status != "closed"]
        self.urls = {p.id: p.url for p in self.targets}
        self.remaining: dict[str, int] = {}

    progress_unit = "visits"

    @property
    def progress_total(self) -> int:
        return self.rounds * len(self.targets)

    def visit_time(self):
        """Real time, or MONITOR_NOW moved on by the time elapsed since the probe started."""
        return iso(self.now + timedelta(seconds=time.monotonic() - self.started))

    async def start(self):
        for n in range(self.rounds):
            if n and self.interval:
                await asyncio.sleep(self.interval)
            round_id = new_id()
            self.remaining[round_id] = len(self.targets)
            for portal in self.targets:
                yield scrapy.Request(
                    portal.url, callback=self.on_response, errback=self.on_error, dont_filter=True,
                    meta={"portal_id": portal.id, "round_id": round_id, "t0": time.monotonic(),
                          "dont_redirect": True, "handle_httpstatus_all": True, "dont_retry": True})

    def on_response(self, response):
        meta = response.meta
        error = response_error(response)
        yield from self._visit(meta, response.status, error)

    def on_error(self, failure):
        yield from self._visit(failure.request.meta, None, classify_failure(failure.value))

    def _visit(self, meta, status, error):
        yield VisitItem(round_id=meta["round_id"], portal_id=meta["portal_id"],
                        url=self.urls[meta["portal_id"]], at=self.visit_time(),
                        ok=error in REACHABLE_ERRORS, status=status, error=error,
                        latency_ms=round((time.monotonic() - meta["t0"]) * 1000, 1))
        self.remaining[meta["round_id"]] -= 1
        if self.remaining[meta["round_id"]] == 0:
            yield ProbeRoundItem(round_id=meta["round_id"], crawl_id=self.crawl_id, portals=len(self.targets))
