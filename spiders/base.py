"""What the portal-facing spiders share: the registry, the ``region``/``portal`` selection, the clock."""

from __future__ import annotations

import logging

import scrapy

from monitor.clock import ClockError, parse_now
from monitor.registry import RegistryError, SelectionError, load_registry


class SelectionFailed(Exception):
    """Raised before any request when the registry or the selection is unusable."""


class RegistrySpider(scrapy.Spider):
    def __init__(self, region: str | None = None, portal: str | None = None, **kwargs):
        super().__init__(**kwargs)
        # a portal that is down fails its robots.txt too; the homepage fetch records the failure,
        # so the middleware's own traceback for it is noise
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
        self.region_arg = region
        self.portal_arg = portal

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_selection(crawler.settings)
        return spider

    def setup_selection(self, settings) -> None:
        if self.region_arg and self.portal_arg:
            raise SelectionFailed("give either -a region=… or -a portal=…, not both")
        try:
            self.registry = load_registry(settings.get("MONITOR_REGISTRY"),
                                          settings.get("MONITOR_ALLOW_HOSTS"))
            self.portals = self.registry.select(self.region_arg, self.portal_arg)
            self.now = parse_now(settings.get("MONITOR_NOW"))
        except RegistryError as exc:
            raise SelectionFailed(str(exc)) from None
        except (SelectionError, ClockError) as exc:
            raise SelectionFailed(str(exc)) from None
        self.selection = (f"portal={self.portal_arg}" if self.portal_arg
                          else f"region={self.region_arg or 'all'}")
