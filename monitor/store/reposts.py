"""Store reads and writes for State Council releases and the reposts matched to them.

Functions taking a ``Store``; the only SQLite code of the releases/reposts feature. Times in the store
are ISO strings: ``published`` in Beijing time (``2026-09-24`` or ``2026-09-24T10:00:00+08:00``),
``first_seen``/``last_seen``/``started`` in UTC, so string comparison orders them within a column.
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

from monitor.store import Store, utcnow

__all__ = [
    "upsert_releases", "releases_since", "count_releases", "entries_to_match", "replace_reposts",
    "reposts_since", "monitored_portals", "portals_info", "add_crawl_counts",
]

_CHUNK = 500


def _chunks(seq: Sequence, n: int = _CHUNK):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def has_releases(store: Store) -> bool:
    return bool(store.query("select 1 from releases limit 1"))


def upsert_releases(store: Store, rows: Iterable[dict], now: str | None = None) -> int:
    """Insert or update releases by id; ``first_seen`` keeps the first sighting. A stored exact time
    is not replaced by a bare date (a feed's ``DOCRELPUBTIME`` after the page's time); empty
    category/source never erase known ones. Returns the number of rows written."""
    rows = list(rows)
    if not rows:
        return 0
    now = now or utcnow()
    with store.transaction():
        store.db.conn.executemany(
            "insert or ignore into releases (id, title, url, published, category, source, first_seen) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [(r["id"], r["title"], r["url"], r.get("published"), r.get("category"), r.get("source"), now)
             for r in rows])
        for r in rows:
            store.db.conn.execute(
                "update releases set title = :title, url = :url, "
                "published = case when :published is null then published "
                "  when published is null or instr(:published, 'T') > 0 or instr(published, 'T') = 0 "
                "  then :published else published end, "
                "category = coalesce(:category, category), source = coalesce(:source, source) "
                "where id = :id",
                {"id": r["id"], "title": r["title"], "url": r["url"], "published": r.get("published"),
                 "category": r.get("category"), "source": r.get("source")})
    return len(rows)


def releases_since(store: Store, since: str | None = None, until: str | None = None) -> list[dict]:
    """Releases published on or after ``since`` (and before ``until``), oldest first; all if None."""
    sql, args = "select * from releases where 1=1", []
    if since:
        sql += " and published >= ?"
        args.append(since)
    if until:
        sql += " and published < ?"
        args.append(until)
    return store.query(sql + " order by published, id", args)


def count_releases(store: Store) -> int:
    return store.query("select count(*) as n from releases")[0]["n"]


def _in(column: str, values: Sequence[str]) -> tuple[str, list]:
    return f" and {column} in ({', '.join('?' for _ in values)})", list(values)


def entries_to_match(store: Store, since: str, seen_since: str | None = None,
                     portal_ids: Sequence[str] | None = None) -> list[dict]:
    """Entries that may repost a release of the window: published on or after ``since`` (a Beijing
    date), or undated and seen since then; only those seen after ``seen_since`` (UTC ISO, e.g. a
    crawl's start) and of ``portal_ids`` when given."""
    sql = ("select id, portal_id, url, title, published from entries "
           "where (published >= ? or (published is null and last_seen >= ?))")
    args: list = [since, since]
    if seen_since:
        sql += " and last_seen >= ?"
        args.append(seen_since)
    if portal_ids is not None:
        if not portal_ids:
            return []
        out = []
        for chunk in _chunks(list(portal_ids)):
            extra, extra_args = _in("portal_id", chunk)
            out.extend(store.query(sql + extra + " order by id", args + extra_args))
        return out
    return store.query(sql + " order by id", args)


def replace_reposts(store: Store, entry_ids: Iterable[str], rows: Iterable[dict]) -> int:
    """Make ``rows`` the reposts of ``entry_ids``: earlier matches of those entries that no longer
    match are removed. One transaction. Returns the number of rows written."""
    entry_ids = list(entry_ids)
    rows = list(rows)
    with store.transaction():
        for chunk in _chunks(entry_ids):
            store.db.conn.execute(
                f"delete from reposts where entry_id in ({', '.join('?' for _ in chunk)})", chunk)
        store.db.conn.executemany(
            "insert or replace into reposts (entry_id, release_id, portal_id, score, lag_hours, "
            "within_24h, matched_at) values (?, ?, ?, ?, ?, ?, ?)",
            [(r["entry_id"], r["release_id"], r["portal_id"], r["score"], r["lag_hours"],
              r["within_24h"], r["matched_at"]) for r in rows])
    return len(rows)


def reposts_since(store: Store, since: str, until: str | None = None,
                  portal_ids: Sequence[str] | None = None) -> list[dict]:
    """Reposts of releases published in the window, with the release's and the entry's time."""
    sql = ("select r.entry_id, r.release_id, r.portal_id, r.score, r.lag_hours, r.within_24h, "
           "rel.published as release_published, e.published as entry_published "
           "from reposts r join releases rel on rel.id = r.release_id "
           "left join entries e on e.id = r.entry_id where rel.published >= ?")
    args: list = [since]
    if until:
        sql += " and rel.published < ?"
        args.append(until)
    if portal_ids is not None:
        if not portal_ids:
            return []
        out = []
        for chunk in _chunks(list(portal_ids)):
            extra, extra_args = _in("r.portal_id", chunk)
            out.extend(store.query(sql + extra, args + extra_args))
        return out
    return store.query(sql, args)


def monitored_portals(store: Store, seen_since: str) -> set[str]:
    """Portals with a crawl record or an entry seen since ``seen_since`` (UTC ISO): the portals the
    national figure is taken over."""
    rows = store.query(
        "select distinct pc.portal_id as id from portal_crawls pc join crawls c on c.id = pc.crawl_id "
        "where c.started >= ? and pc.outcome = 'fetched' "
        "union select distinct portal_id as id from entries where last_seen >= ?",
        [seen_since, seen_since])
    return {r["id"] for r in rows if r["id"]}


def portals_info(store: Store) -> dict[str, dict]:
    """The registry as last synced into the store, by portal id."""
    return {r["id"]: r for r in store.query("select id, name, region, status from portals")}


def add_crawl_counts(store: Store, crawl_id: str, extra: dict) -> None:
    """Merge ``extra`` into a crawl's ``counts`` JSON (written by the snapshots pipeline)."""
    rows = store.query("select counts from crawls where id = ?", [crawl_id])
    if not rows:
        return
    try:
        counts = json.loads(rows[0]["counts"] or "{}")
    except ValueError:
        counts = {}
    counts.update(extra)
    with store.transaction():
        store.db.conn.execute("update crawls set counts = ? where id = ?",
                              [json.dumps(counts, ensure_ascii=False, sort_keys=True), crawl_id])
