"""Options and helpers every ``monitor`` subcommand shares."""

from __future__ import annotations

import os

import click

from monitor.cli import UserError
from monitor.paths import DEFAULT_DB
from monitor.store import Store, StoreError

FORMATS = ("table", "json", "csv")


def default_db() -> str:
    """``MONITOR_DB`` from the environment, else the project's ``data/monitor.db``."""
    return os.environ.get("MONITOR_DB") or str(DEFAULT_DB)


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
