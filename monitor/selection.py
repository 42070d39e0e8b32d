"""Which portals a crawl takes: the registry and the ``region``/``portal`` arguments, checked once.

``scrapy crawl portal|probe`` resolves them before any request (``monitor/commands/crawl.py``), and
the spider resolves them again when a scheduler such as scrapyd starts it without that command;
both call ``resolve``, so the rules and the messages are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.config import MonitorSettings
from monitor.registry import Portal, Registry, RegistryError, SelectionError, load_registry


class SelectionFailed(Exception):
    """The registry or the selection is unusable; the message says why (every bad registry line)."""


@dataclass(frozen=True)
class Selection:
    registry: Registry
    portals: list[Portal]
    now: datetime
    label: str  # "region=henan", "portal=a,b" (recorded with the crawl)


def resolve(settings: MonitorSettings, region: str | None = None, portal: str | None = None,
            level: str | None = None, parent: str | None = None) -> Selection:
    """``region`` (comma list or all) or ``portal`` (ids), narrowed by ``level`` (comma list) and
    ``parent`` (an id: it and everything below it)."""
    if region and portal:
        raise SelectionFailed("give either -a region=… or -a portal=…, not both")
    try:
        registry = load_registry(settings.registry, list(settings.allow_hosts))
        portals = registry.select(region, portal, level, parent)
    except RegistryError as exc:
        raise SelectionFailed("invalid registry:\n" + "\n".join(exc.problems)) from None
    except SelectionError as exc:
        raise SelectionFailed(str(exc)) from None
    label = f"portal={portal}" if portal else f"region={region or 'all'}"
    label += "".join(f" {name}={value}" for name, value in (("level", level), ("parent", parent)) if value)
    return Selection(registry, portals, settings.clock(), label)
