"""``scrapy crawl`` that checks the registry and the ``region``/``portal`` arguments first.

An unknown region or portal, or a bad registry, fails before any request with one clear message
(listing the valid names, or every bad registry line) and a non-zero exit, instead of a traceback
from inside the engine.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from monitor.clock import ClockError, parse_now
from monitor.registry import RegistryError, SelectionError, load_registry
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
        settings = self.settings
        try:
            parse_now(settings.get("MONITOR_NOW"))
            if spider in REGISTRY_SPIDERS:
                if spargs.get("region") and spargs.get("portal"):
                    return "give either -a region=… or -a portal=…, not both"
                registry = load_registry(settings.get("MONITOR_REGISTRY"), settings.get("MONITOR_ALLOW_HOSTS"))
                registry.select(spargs.get("region"), spargs.get("portal"))
            Store(settings.get("MONITOR_DB"), heartbeat_stale=settings.getint("MONITOR_HEARTBEAT_STALE")).close()
        except RegistryError as exc:
            return "invalid registry:\n" + "\n".join(exc.problems)
        except (SelectionError, ClockError, StoreError) as exc:
            return str(exc)
        return None
