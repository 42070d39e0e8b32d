"""``scrapy crawl`` that checks the settings, the registry and the ``region``/``portal`` arguments
first.

A bad ``MONITOR_*`` value, an unknown region or portal, or a bad registry fails before any request
with one clear message (naming the setting, listing the valid names, or every bad registry line)
and a non-zero exit, instead of a traceback from inside the engine. The spider resolves the same
selection again through the same function (``monitor.selection.resolve``) when a scheduler such as
scrapyd starts it without this command.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from monitor.config import MonitorSettings, SettingsError
from monitor.selection import SelectionFailed, resolve
from monitor.store import Store, StoreError

REGISTRY_SPIDERS = {"portal", "probe"}


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if args and args[0] in REGISTRY_SPIDERS | {"statecouncil"}:
            problem = self._check(args[0], opts.spargs)
            if problem:
                print(f"scrapy crawl {args[0]}: error: {problem}", file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)

    def _check(self, spider: str, spargs: dict) -> str | None:
        try:
            settings = MonitorSettings.load(self.settings)
            if spider in REGISTRY_SPIDERS:
                resolve(settings, spargs.get("region"), spargs.get("portal"), spargs.get("level"),
                        spargs.get("parent"))
            Store(settings.db, heartbeat_stale=settings.heartbeat_stale).close()
        except (SettingsError, SelectionFailed, StoreError) as exc:
            return str(exc)
        return None
