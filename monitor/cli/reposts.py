"""``monitor reposts``: per portal, how many State Council releases it reposted, how many within 24 h."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import click

from monitor.cli import UserError
from monitor.cli.common import db_option, format_option, monitor_settings, open_store
from monitor.exports import format_table, neutralise
from monitor.match import DEFAULT_THRESHOLD
from monitor.reposts import match_window, summarize

COLUMNS = ("portal_id", "name", "region", "releases", "reposted", "within_24h", "median_lag_hours")


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"--since {value!r} is not a date (use YYYY-MM-DD)") from None


def emit(rows: list[dict], columns, fmt: str, extra: dict | None = None) -> None:
    """Print records: a table, a JSON array (or ``extra`` with the records under ``portals``), or
    CSV with a UTF-8 BOM (Excel opens Chinese intact); text cells that look like formulas are quoted."""
    if fmt == "json":
        payload = {**extra, "portals": rows} if extra is not None else rows
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = click.get_text_stream("stdout")
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else
                             neutralise(row[c]) if isinstance(row.get(c), str) else row[c] for c in columns])
        out.flush()
    else:
        click.echo(format_table(rows, columns), nl=False)


@click.command()
@click.option("--portal", "portal", default=None, metavar="ID[,ID…]", help="Only these portals.")
@click.option("--region", "region", default=None, metavar="R[,R…]", help="Only portals of these regions.")
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Window start: releases published on or after this day. "
                   "Default: MONITOR_REPOST_WINDOW_DAYS (30) days before now.")
@click.option("--rematch", is_flag=True, help="Match the window's entries against the releases again first.")
@click.option("--threshold", type=float, default=DEFAULT_THRESHOLD, show_default=True,
              help="Title similarity for --rematch (0-1).")
@format_option()
@db_option
def reposts(portal, region, since, rematch, threshold, fmt, db_path) -> None:
    """Per portal: State Council releases in the window, how many the portal reposted, how many
    within 24 hours, the median lag in hours; then the national figure of the quarterly notice
    (share of portals reposting at least one release within 24 hours). The clock is MONITOR_NOW if
    set. Matches are stored by crawls; --rematch recomputes them (e.g. after importing releases).

    \b
    Example:
      monitor reposts --region henan --since 2026-11-01
      monitor reposts --format csv > reposts.csv
    """
    if portal and region:
        raise UserError("give either --portal or --region, not both")
    settings = monitor_settings()
    now = settings.clock()
    days = settings.repost_window_days
    start = parse_day(since) if since else (now - timedelta(days=days)).date()
    portal_ids = [p.strip() for p in portal.split(",") if p.strip()] if portal else None
    regions = [r.strip() for r in region.split(",") if r.strip()] if region else None
    store = open_store(db_path, readonly=not rematch)
    try:
        if rematch:
            match_window(store, since=start, now=now, threshold=threshold, portal_ids=portal_ids)
        summary = summarize(store, since=start, now=now, portal_ids=portal_ids, regions=regions)
    finally:
        store.close()
    if fmt == "json":
        emit(summary["portals"], COLUMNS, fmt, extra={"window": summary["window"],
                                                     "national": summary["national"]})
        return
    emit(summary["portals"], COLUMNS, fmt)
    if fmt == "table":
        w, n = summary["window"], summary["national"]
        share = "n/a" if n["share_within_24h"] is None else f"{n['share_within_24h']:.1%}"
        click.echo(f"\nwindow {w['since']} .. {w['until']}: {w['releases']} releases; "
                   f"national: {n['portals_within_24h']} of {n['portals']} portals reposted "
                   f"within 24 h ({share})")
