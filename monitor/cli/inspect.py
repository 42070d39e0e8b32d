"""``monitor inspect``: run every extractor on one saved page and print what they found."""

from __future__ import annotations

import json
from datetime import datetime, time

import click

from monitor.cli import UserError
from monitor.extract.inspect import inspect_page
from monitor.clock import SHANGHAI
from monitor.extract.page import Page


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    if len(value) <= 10:  # a bare day means the end of that day in Shanghai
        parsed = datetime.combine(parsed.date(), time(23, 59, 59))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=False, path_type=str))
@click.option("--url", default="", help="The page's URL: resolves links and dates in the URL.")
@click.option("--now", "now", default=None, metavar="YYYY-MM-DD",
              help="Pretend today is this day (month-day dates, future dates). Default: today.")
@click.option("--encoding", default=None, metavar="ENC",
              help="Charset as an HTTP Content-Type header would give it (a BOM still wins).")
def inspect(file: str, url: str, now: str | None, encoding: str | None) -> None:
    """Print the dates, entries, column and site facts found in a saved page, as one JSON object.

    \b
    Example:
      monitor inspect saved.html --url https://www.gz.gov.cn/xw/index.html --now 2026-11-29
    """
    moment = _parse_now(now)
    try:
        with open(file, "rb") as handle:
            body = handle.read()
    except OSError as exc:
        raise UserError(f"{file}: {exc.strerror or exc}") from None
    page = Page.from_bytes(body, url, moment, http_charset=encoding)
    click.echo(json.dumps(inspect_page(page), ensure_ascii=False, indent=2))
