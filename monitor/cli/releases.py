"""``monitor releases``: load State Council releases from a file, list the stored ones."""

from __future__ import annotations

import sys

import click

from monitor.cli import UserError
from monitor.cli.common import db_option, default_db, format_option, open_store
from monitor.cli.reposts import emit, parse_day
from monitor.releases import read_import
from monitor.store.reposts import releases_since, upsert_releases

COLUMNS = ("id", "published", "title", "url", "category", "source")


@click.group()
def releases() -> None:
    """State Council releases: import them from a file, list the stored ones.

    \b
    Example:
      monitor releases import releases.csv
      monitor releases list --since 2026-11-01
    """


@releases.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--db", "db_path", default=default_db, show_default="$MONITOR_DB or data/monitor.db",
              help="SQLite store to write.")
def import_(file: str, db_path: str) -> None:
    """Load releases from a CSV (header title,url,published[,category,source]), a JSON array or a
    JSONL file (the same keys). Bad rows are reported as FILE:LINE: message on stderr and skipped;
    good rows are stored (same URL: updated). Exit status 1 when any row was skipped.

    \b
    Example:
      monitor releases import releases.csv --db data/monitor.db
    """
    try:
        result = read_import(file)
    except OSError as exc:
        raise UserError(f"{file}: {exc.strerror or exc}") from None
    for problem in result.problems:
        click.echo(problem, err=True)
    store = open_store(db_path, readonly=False)
    try:
        written = upsert_releases(store, result.rows)
    finally:
        store.close()
    click.echo(f"{written} imported, {len(result.problems)} skipped")
    if result.problems:
        sys.exit(1)


@releases.command("list")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Releases published on or after this day.")
@format_option()
@db_option
def list_(since: str | None, fmt: str, db_path: str) -> None:
    """List the stored releases, oldest first.

    \b
    Example:
      monitor releases list --since 2026-11-01 --format csv > releases.csv
    """
    day = parse_day(since) if since else None
    store = open_store(db_path)
    try:
        rows = releases_since(store, day.isoformat() if day else None)
    finally:
        store.close()
    emit(rows, COLUMNS, fmt)
