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
@click.option("--crawl", "crawl_id", help="Crawl id (default: the latest finished portal crawl).")
@format_option()
@db_option
def summary(crawl_id, fmt, db_path):
    """Per portal: outcome, pages, failures, columns fetched/discovered, newest homepage date,
    error-report entry, policy column, and the crawl's failures by class.

    \b
    Example:
      monitor summary
    """
    from monitor.store.summary import crawl_portal_rows, failure_classes
    store = open_store(db_path)
    if crawl_id is None:
        latest = store.latest_finished_crawl("portal")
        if latest is None:
            raise UserError(f"no finished portal crawl in {db_path}")
        crawl_id = latest["id"]
    elif store.crawl(crawl_id) is None:
        raise UserError(f"no crawl {crawl_id!r} in {db_path}")
    rows = crawl_portal_rows(store, crawl_id)
    fails = failure_classes(store, crawl_id)
    store.close()
    columns = list(rows[0].keys()) if rows else ["portal"]
    emit(rows, columns, fmt, None)
    if fmt == "table":
        click.echo("failures by class: " + (", ".join(f"{k} {v}" for k, v in fails.items()) or "none"))
