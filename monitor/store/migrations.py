"""Schema of the snapshot store as an ordered list of migrations.

A database records the migrations it has had in ``_migrations``; opening it applies the missing ones
in order, in one transaction each, so an old database is upgraded in place without losing rows.
Ids are text (UUIDs, content hashes, or hashes of natural keys), never autoincrement integers, so
databases written on several nodes merge without clashes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import sqlite_utils


def _m001_initial(db: sqlite_utils.Database) -> None:
    db["crawls"].create({
        "id": str, "spider": str, "selection": str, "started": str, "finished": str,
        "status": str, "host": str, "pid": int, "heartbeat": str, "now": str,
        "portals": int, "pages": int, "failures": int, "counts": str,
    }, pk="id")
    db["portals"].create({
        "id": str, "name": str, "region": str, "level": str, "url": str, "site_code": str,
        "status": str, "migrated_to": str, "render": str, "synced_at": str,
    }, pk="id")
    db["fetches"].create({
        "id": str, "crawl_id": str, "portal_id": str, "url": str, "final_url": str, "kind": str,
        "depth": int, "parent_url": str, "link_text": str, "status": int, "error": str,
        "latency_ms": float, "size": int, "charset": str, "fetched_at": str, "body_hash": str,
    }, pk="id")
    db["fetches"].create_index(["crawl_id", "portal_id"])
    db["bodies"].create({"hash": str, "size": int, "encoding": str, "data": bytes}, pk="hash")
    db["entries"].create({
        "id": str, "portal_id": str, "column_url": str, "url": str, "title": str,
        "published": str, "first_seen": str, "last_seen": str, "first_crawl_id": str,
    }, pk="id")
    db["entries"].create_index(["portal_id", "published"])
    db["columns"].create({
        "crawl_id": str, "portal_id": str, "url": str, "name": str, "type": str,
        "max_age_days": int, "newest": str, "blank": int, "entries": int,
        "fetched": int, "fetch_id": str, "link_text": str,
    }, pk=("crawl_id", "portal_id", "url"))
    db["portal_crawls"].create({
        "crawl_id": str, "portal_id": str, "outcome": str, "homepage_url": str,
        "homepage_status": int, "homepage_error": str, "homepage_newest": str,
        "homepage_dated_items": int, "navigation_only": int, "site_name": str,
        "site_code_found": str, "migrated_ok": int, "pages": int, "columns_discovered": int,
        "columns_fetched": int, "finished_at": str,
    }, pk=("crawl_id", "portal_id"))


def _m002_elements_and_rendering(db: sqlite_utils.Database) -> None:
    """Homepage elements (policy column, error-report entry) and rendered fetches (issue 4)."""
    db["fetches"].add_column("rendered", int, not_null_default=0)
    db["portal_crawls"].add_column("error_link", str)
    db["portal_crawls"].add_column("policy_column", str)
    db["portal_crawls"].add_column("rendered", int, not_null_default=0)


def _m003_releases_and_reposts(db: sqlite_utils.Database) -> None:
    """State Council releases and the entries matched to them (issue 5)."""
    db["releases"].create({
        "id": str, "title": str, "url": str, "published": str, "category": str, "source": str,
        "first_seen": str,
    }, pk="id")
    db["reposts"].create({
        "entry_id": str, "release_id": str, "portal_id": str, "score": float,
        "lag_hours": float, "within_24h": int, "matched_at": str,
    }, pk="entry_id")
    db["reposts"].create_index(["portal_id"])


def _m004_rules_visits_baselines(db: sqlite_utils.Database) -> None:
    """Verdicts, availability visits, audit baselines and official audit results (issue 6)."""
    db["verdicts"].create({
        "crawl_id": str, "portal_id": str, "rule": str, "passed": int, "level": str,
        "value": str, "evidence": str, "at": str,
    }, pk=("crawl_id", "portal_id", "rule"))
    db["visits"].create({
        "id": str, "round_id": str, "portal_id": str, "at": str, "ok": int, "status": int,
        "error": str, "latency_ms": float, "valid": int,
    }, pk="id")
    db["visits"].create_index(["portal_id", "at"])
    db["visit_days"].create({
        "portal_id": str, "day": str, "visits": int, "failed": int, "invalid": int,
        "latency_ms_avg": float,
    }, pk=("portal_id", "day"))
    db["baselines"].create({
        "id": str, "portal_id": str, "crawl_id": str, "marked_at": str, "note": str,
    }, pk="id")
    db["audits"].create({
        "portal_id": str, "audited_on": str, "verdict": str, "imported_at": str, "source": str,
    }, pk=("portal_id", "audited_on"))


def _m005_without_rowid(db: sqlite_utils.Database) -> None:
    """Per-crawl tables keyed by text ids become WITHOUT ROWID tables: the primary key is the table,
    instead of a rowid table plus a second copy of every key in its index. A repeated crawl of
    unchanged pages then grows the store by about a sixth less (bench/sweep.py)."""
    for table in ("fetches", "columns", "portal_crawls", "verdicts"):
        sql = db.execute("select sql from sqlite_master where type = 'table' and name = ?", [table]).fetchone()[0]
        if "without rowid" in sql.lower():
            continue
        indexes = [r[0] for r in db.execute(
            "select sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null", [table])]
        tmp = f"_{table}_new"
        db.execute(sql.replace(f"[{table}]", f"[{tmp}]", 1).replace(f'"{table}"', f'"{tmp}"', 1)
                   + " WITHOUT ROWID")
        db.execute(f"insert into [{tmp}] select * from [{table}]")
        db.execute(f"drop table [{table}]")
        db.execute(f"alter table [{tmp}] rename to [{table}]")
        for index_sql in indexes:
            db.execute(index_sql)


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_initial", _m001_initial),
    ("002_elements_and_rendering", _m002_elements_and_rendering),
    ("003_releases_and_reposts", _m003_releases_and_reposts),
    ("004_rules_visits_baselines", _m004_rules_visits_baselines),
    ("005_without_rowid", _m005_without_rowid),
]


def applied(db: sqlite_utils.Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [r["name"] for r in db.query("select name from _migrations order by name")]


def migrate(db: sqlite_utils.Database, upto: str | None = None) -> list[str]:
    """Apply every migration not yet recorded (up to ``upto`` inclusive, for tests); return names."""
    if "_migrations" not in db.table_names():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = set(applied(db))
    ran = []
    for name, fn in MIGRATIONS:
        if name not in done:
            with db.conn:
                fn(db)
                db["_migrations"].insert(
                    {"name": name, "applied_at": datetime.now(timezone.utc).isoformat()})
            ran.append(name)
        if upto and name == upto:
            break
    return ran
