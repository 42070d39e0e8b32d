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
    "fetch_rows": "ignore",
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
    "column_rows": "ignore",
    "portal_crawls": "ignore",
    "releases": (
        "first_seen = min(coalesce(t.first_seen, excluded.first_seen), coalesce(excluded.first_seen, t.first_seen)), "
        "title = coalesce(t.title, excluded.title), url = coalesce(t.url, excluded.url), "
        "published = coalesce(t.published, excluded.published), "
        "category = coalesce(t.category, excluded.category), source = coalesce(t.source, excluded.source) "
        "where excluded.first_seen < t.first_seen or (t.published is null and excluded.published is not null)"),
    "reposts": "update:matched_at",
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
#: and its own write-time bookkeeping of the compact rows (the last full row of every page)
SKIPPED = ("_migrations", "_sqlite_migrations", "rollups", "rollup_pages", "rollup_columns", "fetch_heads",
           "column_heads")
#: the tables behind the views, counted under the view's name in what a merge reports
VIEW_OF = {"fetch_rows": "fetches", "fetch_repeats": "fetches", "column_rows": "columns",
           "column_repeats": "columns", "verdict_rows": "verdicts"}
#: the compact tables (``compact.py``) hold node-local integers: copied by translating them through
#: ``names`` (and evidence by its hash), after the tables they refer to; a row already present is kept
TRANSLATED = {
    "names": "insert or ignore into main.names (name) select name from src.names",
    "evidence": "insert or ignore into main.evidence (hash, json) select hash, json from src.evidence",
    "verdict_rows": (
        "insert or ignore into main.verdict_rows (crawl_n, portal_n, rule_n, passed, level, value, evidence_n, at) "
        "select c.n, p.n, r.n, v.passed, v.level, v.value, e.n, v.at from src.verdict_rows v "
        "join src.names sc on sc.n = v.crawl_n join main.names c on c.name = sc.name "
        "join src.names sp on sp.n = v.portal_n join main.names p on p.name = sp.name "
        "join src.names sr on sr.n = v.rule_n join main.names r on r.name = sr.name "
        "left join src.evidence se on se.n = v.evidence_n left join main.evidence e on e.hash = se.hash"),
    "fetch_repeats": (
        "insert or ignore into main.fetch_repeats (crawl_n, portal_n, of, latency_ms, fetched_at) "
        "select c.n, p.n, f.of, f.latency_ms, f.fetched_at from src.fetch_repeats f "
        "join src.names sc on sc.n = f.crawl_n join main.names c on c.name = sc.name "
        "join src.names sp on sp.n = f.portal_n join main.names p on p.name = sp.name"),
    "column_repeats": (
        "insert or ignore into main.column_repeats (crawl_n, portal_n, url_n, of_crawl_n) "
        "select c.n, p.n, u.n, o.n from src.column_repeats f "
        "join src.names sc on sc.n = f.crawl_n join main.names c on c.name = sc.name "
        "join src.names sp on sp.n = f.portal_n join main.names p on p.name = sp.name "
        "join src.names su on su.n = f.url_n join main.names u on u.name = su.name "
        "join src.names so on so.n = f.of_crawl_n join main.names o on o.name = so.name"),
}


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
                        if table in SKIPPED or table in TRANSLATED or table.startswith("sqlite_"):
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
                        shown = VIEW_OF.get(table, table)
                        result.changed[shown] = (result.changed.get(shown, 0)
                                                 + db.conn.execute(_upsert_sql(table, columns, pks, policy)).rowcount)
                    for table, sql in TRANSLATED.items():  # rows inserted (not the triggers' counts)
                        if table in ("names", "evidence"):  # bookkeeping, not rows a reader sees
                            db.execute(sql)
                            continue
                        shown = VIEW_OF.get(table, table)
                        result.changed[shown] = result.changed.get(shown, 0) + db.conn.execute(sql).rowcount
                    db.execute("delete from main.evidence where refs <= 0")  # copied, but no new verdict uses it
            finally:
                db.execute("detach database src")
        result.new_crawls = [r["id"] for r in db.query("select id, status, heartbeat from crawls order by started")
                             if (r["id"], r["status"], r["heartbeat"]) not in known_crawls]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{output}: merge failed: {exc}") from None
    finally:
        out.close()
    return result
