"""Schema of the snapshot store: sqlite-utils' own ``Migrations``, one function per change.

Opening a store applies the migrations it has not had, in order, each in one transaction with its
record in ``_sqlite_migrations`` (sqlite-utils' table), so an old database is upgraded in place
without losing rows. Stores written before this module used sqlite-utils keep their history: the
names recorded in the former home-made ``_migrations`` table are carried over first.

Ids are text (UUIDs, content hashes, or hashes of natural keys), never autoincrement integers, so
databases written on several nodes merge without clashes.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("portal-monitor")
#: every migration's name, in order (filled as they are registered below)
MIGRATIONS: list[str] = []


def migration(name: str):
    """Register a migration under ``name`` (sqlite-utils' decorator), keeping the order."""
    MIGRATIONS.append(name)
    return migrations(name=name)


@migration("001_initial")
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


@migration("002_elements_and_rendering")
def _m002_elements_and_rendering(db: sqlite_utils.Database) -> None:
    """Homepage elements (policy column, error-report entry) and rendered fetches."""
    db["fetches"].add_column("rendered", int, not_null_default=0)
    db["portal_crawls"].add_column("error_link", str)
    db["portal_crawls"].add_column("policy_column", str)
    db["portal_crawls"].add_column("rendered", int, not_null_default=0)


@migration("003_releases_and_reposts")
def _m003_releases_and_reposts(db: sqlite_utils.Database) -> None:
    """State Council releases and the entries matched to them."""
    db["releases"].create({
        "id": str, "title": str, "url": str, "published": str, "category": str, "source": str,
        "first_seen": str,
    }, pk="id")
    db["reposts"].create({
        "entry_id": str, "release_id": str, "portal_id": str, "score": float,
        "lag_hours": float, "within_24h": int, "matched_at": str,
    }, pk="entry_id")
    db["reposts"].create_index(["portal_id"])


@migration("004_rules_visits_baselines")
def _m004_rules_visits_baselines(db: sqlite_utils.Database) -> None:
    """Verdicts, availability visits, audit baselines and official audit results."""
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


@migration("005_without_rowid")
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


@migration("006_dates_and_progress")
def _m006_dates_and_progress(db: sqlite_utils.Database) -> None:
    """An article's posting and document dates on its fetch; a running crawl's progress
    on its record, moved with each heartbeat."""
    db["fetches"].add_column("published", str)
    db["fetches"].add_column("document_date", str)
    db["crawls"].add_column("progress", str)


@migration("007_portal_parent")
def _m007_portal_parent(db: sqlite_utils.Database) -> None:
    """The portal one level up (the registry's ``parent``), for roll-ups by parent."""
    db["portals"].add_column("parent", str)


@migration("008_audit_reviews")
def _m008_audit_reviews(db: sqlite_utils.Database) -> None:
    """Who gave an imported spot-check or review result, and why: ``monitor audits import`` reads
    the optional ``reviewer`` and ``note`` columns of a returned sample."""
    db["audits"].add_column("reviewer", str)
    db["audits"].add_column("note", str)


@migration("009_notifications")
def _m009_notifications(db: sqlite_utils.Database) -> None:
    """What ``monitor notify`` announced to whom: one row per recipient and event (a regression
    that began, or recovered), pending until a channel accepted it. ``recipient`` is a hash of the
    Apprise URL (the URL itself may hold a token or password and is never stored); ``recipient_url``
    is Apprise's masked form, for people. ``payload`` keeps the event as it was first seen, so a
    retry sends the same message even after the regression list has moved on."""
    db["notifications"].create({
        "id": str, "recipient": str, "recipient_url": str, "event_id": str, "kind": str,
        "portal_id": str, "region": str, "rule": str, "first_failed_at": str, "event_at": str,
        "payload": str, "digest": str, "status": str, "attempts": int, "created_at": str,
        "last_attempt_at": str, "sent_at": str, "error": str,
    }, pk="id")
    db["notifications"].create_index(["recipient", "status"])
    db["notifications"].create_index(["portal_id", "rule"])

@migration("010_findings_below_the_homepage")
def _m010_findings_below_the_homepage(db: sqlite_utils.Database) -> None:
    """What the pages below the homepage showed: message boards read, personal data (masked),
    harmful content, link checks (JSON per portal crawl); the service guides read, by text hash
    (texts kept once, compressed), for the cross-portal copy check; and the date an entry was
    printed with when first seen, so a later re-dating shows."""
    for column in ("boards", "privacy", "harmful", "link_checks"):
        db["portal_crawls"].add_column(column, str)
    db["entries"].add_column("first_published", str)
    db.execute("update entries set first_published = published")
    db["guides"].create({"crawl_id": str, "portal_id": str, "url": str, "text_hash": str},
                        pk=("crawl_id", "portal_id", "url"))
    db["guides"].create_index(["portal_id"])
    db["guide_texts"].create({"hash": str, "data": bytes}, pk="hash")


@migration("011_rollup_state")
def _m011_rollup_state(db: sqlite_utils.Database) -> None:
    """The retention roll-up's own bookkeeping (``monitor/store/retention.py``): the crawls rolled
    up, and the last facts kept of every page and column, so each run reads one crawl's rows instead
    of the whole store."""
    db["rollups"].create({"crawl_id": str, "started": str, "rolled_at": str, "counts": str}, pk="crawl_id")
    for table in ("rollup_pages", "rollup_columns"):  # one row per page: keyed, no rowid
        db.execute(f"create table [{table}] (portal_id text not null, page text not null, facts text, "
                   f"started text, primary key (portal_id, page)) without rowid")


@migration("012_portal_crawls_by_portal")
def _m012_portal_crawls_by_portal(db: sqlite_utils.Database) -> None:
    """A portal's crawls found by the portal (its newest crawl, its history) without reading every
    portal record: the canned queries of ``monitor serve`` on a national store. About 40 bytes a
    portal and crawl."""
    db["portal_crawls"].create_index(["portal_id"], if_not_exists=True)


@migration("013_compact_rows")
def _m013_compact_rows(db: sqlite_utils.Database) -> None:
    """Verdicts with interned keys and shared evidence; fetches and columns that repeat their
    page's last full row stored as references (``monitor/store/compact.py``). The tables
    ``verdicts``, ``fetches`` and ``columns`` become views showing the same rows."""
    from monitor.store.compact import create

    create(db)


_LEGACY_TABLE = "_migrations"


def applied(db: sqlite_utils.Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def needs_migration(db: sqlite_utils.Database) -> bool:
    """Whether opening this database has anything to do (a read-only check)."""
    return _LEGACY_TABLE in db.table_names() or bool(migrations.pending(db))


def migrate(db: sqlite_utils.Database, upto: str | None = None) -> list[str]:
    """Apply every migration not yet recorded (up to ``upto`` inclusive, for tests); return the
    names applied."""
    _adopt_legacy_history(db)
    before = set(applied(db))
    stop = None
    if upto is not None:
        later = MIGRATIONS[MIGRATIONS.index(upto) + 1:]
        stop = later[0] if later else None
    migrations.apply(db, stop_before=stop)
    return [name for name in applied(db) if name not in before]


def _adopt_legacy_history(db: sqlite_utils.Database) -> None:
    """Carry the names of the former ``_migrations`` table into sqlite-utils' table, once."""
    if _LEGACY_TABLE not in db.table_names():
        return
    done = list(db.query(f"select name, applied_at from [{_LEGACY_TABLE}] order by name"))
    with db.atomic():
        migrations.ensure_migrations_table(db)
        known = set(applied(db))
        db[migrations.migrations_table].insert_all(
            {"migration_set": migrations.name, "name": r["name"], "applied_at": r["applied_at"]}
            for r in done if r["name"] in MIGRATIONS and r["name"] not in known)
        db[_LEGACY_TABLE].drop()
