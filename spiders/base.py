"""What the portal-facing spiders share: the settings, the registry and the ``region``/``portal``
selection (``monitor.selection``), and the clock."""

from __future__ import annotations

import logging

import scrapy

from monitor.config import MonitorSettings, SettingsError
from monitor.selection import SelectionFailed, resolve

__all__ = ["RegistrySpider", "SelectionFailed"]


class RegistrySpider(scrapy.Spider):
    def __init__(self, region: str | None = None, portal: str | None = None, level: str | None = None,
                 parent: str | None = None, **kwargs):
        super().__init__(**kwargs)
        # a portal that is down fails its robots.txt too; the homepage fetch records the failure,
        # so the middleware's own traceback for it is noise
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
        self.region_arg = region
        self.portal_arg = portal
        self.level_arg = level
        self.parent_arg = parent

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider.setup(MonitorSettings.of(crawler))
        except SettingsError as exc:
            raise SelectionFailed(str(exc)) from None
        return spider

    def setup(self, settings: MonitorSettings) -> None:
        self.settings_ = settings
        selection = resolve(settings, self.region_arg, self.portal_arg, self.level_arg, self.parent_arg)
        self.registry = selection.registry
        self.portals = selection.portals
        self.now = selection.now
        self.selection = selection.label

    #: what progress counts, and how many of it the crawl will do (``pipelines.session``)
    progress_unit = "portals"

    @property
    def progress_total(self) -> int:
        return len(self.portals)
