"""Options and helpers every ``monitor`` subcommand shares."""

from __future__ import annotations

import click

from monitor.cli import UserError
from monitor.config import MonitorSettings, SettingsError
from monitor.store import Store, StoreError

FORMATS = ("table", "json", "csv")


def monitor_settings() -> MonitorSettings:
    """The ``MONITOR_*`` settings (environment, else defaults), or one line naming a bad one."""
    try:
        return MonitorSettings.load()
    except SettingsError as exc:
        raise UserError(str(exc)) from None


def default_db() -> str:
    """``MONITOR_DB`` from the environment, else the project's ``data/monitor.db``."""
    return monitor_settings().db


def db_option(func):
    return click.option("--db", "db_path", default=default_db, show_default="$MONITOR_DB or data/monitor.db",
                        help="SQLite store to read.")(func)


def format_option(default: str = "table", choices=FORMATS):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def open_store(path: str, readonly: bool = True) -> Store:
    """Open the store or fail with one line naming the file."""
    try:
        store = Store(path, readonly=readonly)
        store.reap_dead_crawls()
        return store
    except StoreError as exc:
        raise UserError(str(exc)) from None


def clock(store=None):
    """Now for reports: ``MONITOR_NOW`` when set, else the later of the real time and the clock of
    the newest crawl (replays and the sandbox run ahead of the wall clock)."""
    settings = monitor_settings()
    now = settings.clock()
    if store is not None and not settings.now:
        from monitor.store.states import crawl_now
        latest = store.latest_finished_crawl(spider=None)
        if latest:
            now = max(now, crawl_now(latest))
    return now


def emit(rows: list[dict], columns, fmt: str, output: str | None, sheet: str = "monitor") -> None:
    """Print or save records as table/json/csv/xlsx (CSV with BOM, formula prefixes neutralised)."""
    import sys

    from monitor import exports
    if fmt == "xlsx" and not output:
        raise UserError("--format xlsx needs -o FILE.xlsx")
    try:
        if fmt == "table":
            text = exports.format_table(rows, columns) if rows else "(none)"
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            else:
                click.echo(text)
        elif fmt == "json":
            exports.write_json(rows, output or sys.stdout)
        elif fmt == "csv":
            exports.write_csv(rows, output or sys.stdout, columns, bom=bool(output))
        elif fmt == "xlsx":
            exports.write_xlsx(rows, output, columns, sheet)
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror or exc}") from None
    if output:
        click.echo(f"wrote {len(rows)} rows to {output}", err=True)


def name_value_pairs(values, option: str) -> list[tuple[str, str]]:
    """``NAME=VALUE`` options (``--setting``, ``--arg``) as pairs; a malformed one is one line."""
    out = []
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{option} {value!r}: expected NAME=VALUE")
        out.append((key.strip(), val))
    return out
