"""Merging node databases into one store (``monitor merge``): several scrapyd nodes, one picture.

Every id in the store is a UUID (crawls, visits, baselines), a content hash (bodies) or a hash of
natural keys (fetches, entries, releases), and the other tables are keyed by those ids, so rows from
different nodes never clash and the same row seen twice is recognised. Each table has an explicit
conflict policy for the same key arriving from two inputs:

- ``ignore``: the rows are identical by construction (a body with the same hash, a fetch of the same
  crawl) — the first one is kept;
- entries: the earliest ``first_seen`` (with its ``first_crawl_id``) and the latest ``last_seen``
  (with that sighting's title, URL and column);
- portals: the newest synced registry row; crawls: the row with the newest heartbeat (a finished
  record wins over a stale ``running`` copy); reposts: the newest match; audits: the newest import;
- releases: the earliest ``first_seen``, other fields kept where known;
- notifications: a row already ``sent`` is kept; otherwise the newer delivery attempt wins;
- visit_days: roll-ups cannot be de-duplicated (their visits are gone), so for a portal and day
  present on two nodes the larger roll-up is kept, never the sum (a sharded deployment probes each
  portal on one node only).

Inputs are migrated to the current schema first (opening a ``Store`` does that), then attached to
the output connection and copied with ``INSERT … ON CONFLICT``, one transaction per input.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from monitor.store import Store, StoreError


#: table -> policy; "ignore", "update:COLUMN" (incoming row wins when its COLUMN is greater), or SQL
#: for ``DO UPDATE SET … WHERE …`` (``t`` is the stored row, ``excluded`` the incoming one; the WHERE
#: keeps a repeated merge from rewriting rows, so re-merging the same stores changes nothing)
POLICIES: dict[str, str] = {
    "crawls": "update:heartbeat",
    "portals": "update:synced_at",
    "fetches": "ignore",
    "bodies": "ignore",
    "entries": (
        "first_seen = min(coalesce(t.first_seen, excluded.first_seen), coalesce(excluded.first_seen, t.first_seen)), "
        "first_crawl_id = case when excluded.first_seen < t.first_seen then excluded.first_crawl_id "
        "else t.first_crawl_id end, "
        "title = case when excluded.last_seen > t.last_seen then excluded.title else t.title end, "
        "url = case when excluded.last_seen > t.last_seen then excluded.url else t.url end, "
        "column_url = case when excluded.last_seen > t.last_seen then excluded.column_url else t.column_url end, "
        "published = case when excluded.last_seen > t.last_seen then coalesce(excluded.published, t.published) "
        "else coalesce(t.published, excluded.published) end, "
        "last_seen = max(coalesce(t.last_seen, excluded.last_seen), coalesce(excluded.last_seen, t.last_seen)) "
        "where excluded.first_seen < t.first_seen or excluded.last_seen > t.last_seen "
        "or (t.published is null and excluded.published is not null)"),
    "columns": "ignore",
    "portal_crawls": "ignore",
    "releases": (
        "first_seen = min(coalesce(t.first_seen, excluded.first_seen), coalesce(excluded.first_seen, t.first_seen)), "
        "title = coalesce(t.title, excluded.title), url = coalesce(t.url, excluded.url), "
        "published = coalesce(t.published, excluded.published), "
        "category = coalesce(t.category, excluded.category), source = coalesce(t.source, excluded.source) "
        "where excluded.first_seen < t.first_seen or (t.published is null and excluded.published is not null)"),
    "reposts": "update:matched_at",
    "verdicts": "ignore",
    "visits": "ignore",
    "visit_days": "update:visits",
    "baselines": "ignore",
    "audits": "update:imported_at",
    # a delivered announcement stays delivered; otherwise the newer attempt wins
    "guides": "ignore",
    "guide_texts": "ignore",
    "notifications": (
        "status = excluded.status, attempts = max(t.attempts, excluded.attempts), "
        "last_attempt_at = excluded.last_attempt_at, sent_at = excluded.sent_at, error = excluded.error "
        "where t.status != 'sent' and (excluded.status = 'sent' "
        "or coalesce(excluded.last_attempt_at, '') > coalesce(t.last_attempt_at, ''))"),
}
#: each store keeps its own schema history, and its own retention bookkeeping (what it rolled up)
SKIPPED = ("_migrations", "_sqlite_migrations", "rollups", "rollup_pages", "rollup_columns")


@dataclass
class MergeResult:
    output: str
    inputs: list[str] = field(default_factory=list)
    #: table -> rows inserted or updated, over all inputs
    changed: dict[str, int] = field(default_factory=dict)
    #: crawl ids copied in or updated by this merge (new to the output, or e.g. finished since)
    new_crawls: list[str] = field(default_factory=list)
    #: tables without a policy, merged by primary key ("ignore")
    unknown_tables: list[str] = field(default_factory=list)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _upsert_sql(table: str, columns: list[str], pks: list[str], policy: str) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    head = (f'insert into main."{table}" as t ({cols}) select {cols} from src."{table}" where true '
            f'on conflict({", ".join(pks)}) do ')
    if policy == "ignore" or not pks:
        return head + "nothing"
    if policy.startswith("update:"):
        by = policy.split(":", 1)[1]
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in pks)
        return head + f'update set {sets} where coalesce(excluded."{by}", \'\') > coalesce(t."{by}", \'\')'
    return head + f"update set {policy}"


def merge_stores(inputs: list[str], output: str) -> MergeResult:
    """Merge the stores ``inputs`` into ``output`` (created, or added to when it exists)."""
    for path in inputs:
        if not Path(path).is_file():
            raise StoreError(f"{path}: no such database")
        if Path(output).exists() and _same_file(path, output):
            raise StoreError(f"{path}: an input cannot also be the output")
    result = MergeResult(output=output, inputs=list(inputs))
    for path in inputs:  # bring every input to the current schema (in place)
        Store(path).close()
    out = Store(output)
    try:
        db = out.db
        known_crawls = {(r["id"], r["status"], r["heartbeat"]) for r in db.query("select id, status, heartbeat from crawls")}
        for path in inputs:
            db.execute("attach database ? as src", [str(Path(path).resolve())])
            try:
                with out.transaction():
                    for table in db.table_names():
                        if table in SKIPPED or table.startswith("sqlite_"):
                            continue
                        src_cols = [r[1] for r in db.execute(f'pragma src.table_info("{table}")').fetchall()]
                        if not src_cols:
                            continue
                        tbl = db[table]
                        columns = [c.name for c in tbl.columns if c.name in src_cols]
                        pks = [c for c in tbl.pks if c != "rowid"]
                        policy = POLICIES.get(table)
                        if policy is None:
                            policy = "ignore"
                            if table not in result.unknown_tables:
                                result.unknown_tables.append(table)
                        before = db.conn.total_changes
                        db.execute(_upsert_sql(table, columns, pks, policy))
                        result.changed[table] = result.changed.get(table, 0) + db.conn.total_changes - before
            finally:
                db.execute("detach database src")
        result.new_crawls = [r["id"] for r in db.query("select id, status, heartbeat from crawls order by started")
                             if (r["id"], r["status"], r["heartbeat"]) not in known_crawls]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{output}: merge failed: {exc}") from None
    finally:
        out.close()
    return result
