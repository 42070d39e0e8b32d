"""``monitor crawls`` and ``monitor summary``: what has been crawled and what it found."""

from __future__ import annotations

import json

import click

from monitor.cli import UserError
from monitor.clock import duration_text
from monitor.cli.common import db_option, emit, format_option, open_store

CRAWL_COLUMNS = ("id", "spider", "selection", "status", "started", "finished", "portals", "pages", "failures",
                 "progress")


def progress_text(crawl: dict) -> str:
    """A running crawl's last heartbeat as people read it: ``12/92 portals, 340 pages, 5 failures,
    ETA 3m05s`` (as of the heartbeat's time)."""
    if crawl.get("status") != "running" or not crawl.get("progress"):
        return ""
    try:
        p = json.loads(crawl["progress"])
    except ValueError:
        return ""
    total = f"/{p['total']}" if p.get("total") is not None else ""
    text = (f"{p.get('done', 0)}{total} {p.get('unit', 'portals')}, {p.get('pages', 0)} pages, "
            f"{p.get('failures', 0)} failures")
    if p.get("eta_s") is not None:
        text += f", ETA {duration_text(p['eta_s'])}"
    return text + f" (at {str(crawl.get('heartbeat') or '')[11:19]} UTC)"



@click.command()
@click.option("--spider", type=click.Choice(["portal", "probe", "statecouncil"]), help="Only this spider's crawls.")
@click.option("--limit", default=20, show_default=True, help="Newest N crawls.")
@format_option()
@db_option
def crawls(spider, limit, fmt, db_path):
    """List crawls, newest first: running (with its progress at the last heartbeat: portals done,
    pages, failures, ETA), finished, or aborted (process died).

    \b
    Example:
      monitor crawls --spider portal --limit 5
    """
    store = open_store(db_path)
    rows = list(reversed(store.crawls(spider=spider)))[:limit]
    store.close()
    for row in rows:
        row["progress"] = progress_text(row)
    emit(rows, CRAWL_COLUMNS, fmt, None)


@click.command()
@click.option("--crawl", "crawl_id",
              help="Crawl id, or a comma list (the shards of a monitor sweep); default: the latest finished portal crawl.")
@click.option("--region", help="Only portals of these regions (comma list).")
@click.option("--level", help="Only these levels (comma list: province, city, county, township, department).")
@click.option("--parent", help="Only these portals and everything below them (comma list of ids).")
@click.option("--by", type=click.Choice(["region", "level", "parent"]),
              help="One line per region, level or parent (the portal one level up) instead of per portal.")
@format_option()
@db_option
def summary(crawl_id, region, level, parent, by, fmt, db_path):
    """Per portal: outcome, pages, failures, columns fetched/discovered, newest homepage date,
    error-report entry, policy column, and the crawl's failures by class; or rolled up per region,
    level or parent (--by).

    \b
    Examples:
      monitor summary
      monitor summary --region henan --by parent
      monitor summary --crawl A,B --by level
    """
    from monitor.hierarchy import FilterError, narrow, portal_info, rollup
    from monitor.store.summary import crawl_portal_rows, failure_classes
    store = open_store(db_path)
    if crawl_id is None:
        latest = store.latest_finished_crawl("portal")
        if latest is None:
            raise UserError(f"no finished portal crawl in {db_path}")
        crawl_ids = [latest["id"]]
    else:
        crawl_ids = [c.strip() for c in crawl_id.split(",") if c.strip()]
        missing = [c for c in crawl_ids if store.crawl(c) is None]
        if missing:
            raise UserError(f"no crawl {', '.join(repr(c) for c in missing)} in {db_path}")
    rows, fails = [], {}
    for cid in crawl_ids:
        rows += crawl_portal_rows(store, cid)
        for cls, n in failure_classes(store, cid).items():
            fails[cls] = fails.get(cls, 0) + n
    info = portal_info(store.portals(), registry_for_parents())
    store.close()
    try:
        wanted = narrow(info, level, parent)
    except FilterError as exc:
        raise UserError(str(exc)) from None
    regions = {r.strip() for r in (region or "").split(",") if r.strip() and r.strip() != "all"}
    out = []
    for row in rows:
        meta = info.get(row["portal"], {})
        if row["portal"] not in wanted or (regions and row["region"] not in regions):
            continue
        with_level = {}
        for key, value in row.items():
            with_level[key] = value
            if key == "region":
                with_level["level"] = meta.get("level", "")
                with_level["parent"] = meta.get("parent", "")
        out.append(with_level)
    if by:
        out = rollup(out, by, {
            "fetched": lambda r: r["outcome"] == "fetched", "failed": lambda r: r["outcome"] == "failed",
            "other": lambda r: r["outcome"] not in ("fetched", "failed"),
            "no_jiucuo": lambda r: r["outcome"] == "fetched" and r["jiucuo"] == "no",
            "no_policy": lambda r: r["outcome"] == "fetched" and r["policy"] == "no",
        }, sums=("pages",))
    columns = list(out[0].keys()) if out else ["portal"]
    emit(out, columns, fmt, None)
    if fmt == "table":
        click.echo("failures by class: " + (", ".join(f"{k} {v}" for k, v in fails.items()) or "none"))


def registry_for_parents():
    """The registry (MONITOR_REGISTRY, else the shipped one) for the ``parent`` of stored portals;
    None when it does not load (parents then read as empty)."""
    from monitor.cli.common import monitor_settings
    from monitor.registry import RegistryError, load_registry
    settings = monitor_settings()
    try:
        return load_registry(settings.registry, list(settings.allow_hosts))
    except RegistryError:
        return None
