"""A browsable, read-only view of the store: Datasette with our metadata, canned queries and plugin.

``make_datasette`` builds the app the way ``datasette serve --immutable DB --metadata …`` would:
every table and column described in Chinese and English (``monitor.store.schema_docs``), the
questions users ask first as canned queries (``monitor.store.canned``), and the evidence view
(``monitor.browse.plugin``). The store is opened immutable (nothing can write it, and Datasette may
cache counts) unless ``live``: then it is opened read-only and shows rows written after start-up too.
"""

from __future__ import annotations

from pathlib import Path

from monitor.config import MonitorSettings
from monitor.regressions import default_consecutive
from monitor.rules import RULES
from monitor.store.canned import canned_queries
from monitor.store.schema_docs import HIDDEN, TABLES

TITLE = "portal-monitor 政府网站监测"


def database_name(path: str | Path) -> str:
    """The name Datasette gives a database file (its stem)."""
    return Path(path).stem


def metadata(name: str, settings: MonitorSettings | None = None) -> dict:
    """Datasette metadata for the store served as ``name``."""
    settings = settings if settings is not None else MonitorSettings.load()
    tables = {table: {"description": text, "columns": dict(columns)}
              for table, (text, columns) in TABLES.items()}
    for table in HIDDEN:
        tables.setdefault(table, {})["hidden"] = True
    rules = [rule for rule in RULES if rule != "overall"]
    return {
        "title": TITLE,
        "description": ("政府网站抓取、判定与证据（只读）。 Crawls, verdicts and evidence of government "
                        "portals, read-only. 先看 Start with: regressions, latest_verdicts."),
        "databases": {name: {
            "description": "监测库 / the monitor's store (monitor/store); 存档页面见 evidence_page 列 / "
                           "stored pages open from the evidence_page column",
            "tables": tables,
            "queries": canned_queries(rules, default_consecutive(settings)),
        }},
    }


def make_datasette(path: str | Path, settings: MonitorSettings | None = None, *, live: bool = False):
    """A Datasette app over the store at ``path`` (immutable unless ``live``), plugin registered."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from monitor.browse import plugin

    settings = settings if settings is not None else MonitorSettings.load()
    if not pm.is_registered(plugin):
        pm.register(plugin, name="portal-monitor")
    files = {"files": [str(path)]} if live else {"immutables": [str(path)]}
    return Datasette(**files, metadata=metadata(database_name(path), settings),
                     settings={"sql_time_limit_ms": settings.serve_sql_time_limit_ms,
                               "allow_download": False, "suggest_facets": False})
