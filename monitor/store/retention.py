"""Keeping a year of daily crawls small: old per-crawl rows rolled up to what changed.

Since migration 013 a crawl writes a page's fetch (and a column's row) in full only when it changed;
a repeat is a small reference row with the crawl's time and latency (``monitor/store/compact.py``).
For portal crawls older than ``MONITOR_FETCH_RETENTION_DAYS`` those repeats are dropped: the full
rows, each a change, stay. Full rows written before 013 are rolled up as they were: a row is kept
when anything about the page (status, error, final URL, body, dates, link) differs from the last
row kept for that page. Every row of a crawl and portal with a finding (a failing or warning
verdict) is kept, so the evidence behind every finding stays. Verdicts are never deleted; those of
old crawls that passed or are unknown keep their level and value but drop their evidence, which
backs no finding; an unknown keeps ``none_failed`` (it decides whether a later failure regressed).
The old portal records drop the detail of the homepage elements, boards, personal data, harmful
content and link checks where no finding rests on it. The probe's visits are rolled up per day already
(``monitor/store/visits.py``).

``monitor evidence`` on a rolled-up crawl shows the nearest earlier kept fetch of the page, which is
the same content by construction.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from monitor.clock import iso
# what makes two fetches of a page the same, and two rows of a column, is what a crawl compares when
# it writes a repeat (FETCH_FACTS, COLUMN_FACTS): a full row written since is never a repeat here
from monitor.store.compact import COLUMN_FACTS, FETCH_FACTS, ONE_SHOT_KINDS, facts_digest, page_key, thin_evidence
from monitor.store.crawls import COMPACT
from monitor.store.states import crawl_now

def old_portal_crawls(store, before: datetime) -> list[dict]:
    """Finished ``portal`` crawls whose clock is before ``before``, oldest first."""
    crawls = store.query("select id, now, started from crawls where spider = 'portal' and status != 'running' "
                         "order by started")
    return [c for c in crawls if crawl_now(c) < before]


def roll_up(store, retention_days: int, now: datetime) -> dict[str, int]:
    """Roll up the per-crawl rows of portal crawls older than ``retention_days`` (0: keep all).
    Returns counts of what was removed.

    Each old crawl is rolled up once, oldest first, in a transaction of its own (short, beside other
    writers), reading only that crawl's rows through the indexes: the last facts seen of every page
    and column are kept in ``rollup_pages`` and ``rollup_columns`` (one row per page, not per crawl),
    and ``rollups`` records the crawls done. Memory and time follow one crawl's size, not the store's.
    No body is orphaned: a fetch is removed only when it repeats the body hash of the row kept before
    it."""
    counts = {"crawls": 0, "fetches": 0, "columns": 0, "verdict_evidence": 0, "portal_details": 0}
    if retention_days <= 0:
        return counts
    done = {r["crawl_id"] for r in store.query("select crawl_id from rollups")}
    for crawl in old_portal_crawls(store, now - timedelta(days=retention_days)):
        if crawl["id"] in done or not _judged(store, crawl["id"]):
            continue  # a crawl not judged yet (merged in, or stored by an older version) waits
        with store.transaction():
            found = _roll_up_crawl(store, crawl)
            store.db.execute("insert or replace into rollups (crawl_id, started, rolled_at, counts) "
                             "values (?, ?, ?, ?)", [crawl["id"], crawl["started"], iso(now),
                                                     json.dumps(found, separators=COMPACT)])
        counts["crawls"] += 1
        for key, value in found.items():
            counts[key] += value
    return counts


def _judged(store, crawl_id: str) -> bool:
    """Whether the crawl has verdicts: what a roll-up keeps depends on its findings."""
    return bool(store.query("select 1 from verdicts where crawl_id = ? limit 1", [crawl_id]))


def _roll_up_crawl(store, crawl: dict) -> dict[str, int]:
    crawl_id, started = crawl["id"], crawl["started"]
    conn = store.db.conn
    findings = {r["portal_id"] for r in store.query(
        "select distinct portal_id from verdicts where crawl_id = ? and level in ('fail', 'warn')", [crawl_id])}
    # full rows: those that repeat the last kept row of their page (stores written before the
    # compact rows; since then a full row is written only when its page changed), never a head;
    # pages fetched once (articles, attachments) never repeat and keep no state
    fetches = store.query(f"select id, portal_id, kind, url, rendered, {', '.join(FETCH_FACTS)} from fetch_rows "
                          f"where crawl_id = ? and kind not in ({', '.join('?' * len(ONE_SHOT_KINDS))}) "
                          "order by portal_id", [crawl_id, *ONE_SHOT_KINDS])
    drop = [r for r in _repeats(store, "rollup_pages", ("kind", "url", "rendered"), FETCH_FACTS, fetches,
                                started, findings) if not _is_fetch_head(store, r)]
    conn.executemany("delete from fetch_rows where id = ?", [(r["id"],) for r in drop])
    columns = store.query(f"select portal_id, url, {', '.join(COLUMN_FACTS)} from column_rows where crawl_id = ? "
                          "order by portal_id", [crawl_id])
    drop_columns = [r for r in _repeats(store, "rollup_columns", ("url",), COLUMN_FACTS, columns, started, findings)
                    if not _is_column_head(store, crawl_id, r)]
    conn.executemany("delete from column_rows where crawl_id = ? and portal_id = ? and url = ?",
                     [(crawl_id, r["portal_id"], r["url"]) for r in drop_columns])
    # repeats: what the crawl saw again, unchanged; kept only where a finding rests on them
    repeats = _drop_repeats(store, crawl_id, findings)
    return {"fetches": len(drop) + repeats["fetch_repeats"], "columns": len(drop_columns) + repeats["column_repeats"],
            "verdict_evidence": _thin_verdicts(store, crawl_id),
            "portal_details": _thin_portal_crawls(store, crawl_id, findings)}


def _is_head(conn, table: str, where: str, args: list) -> bool:
    return conn.execute(f"select 1 from {table} where {where} limit 1", args).fetchone() is not None


def _is_fetch_head(store, row: dict) -> bool:
    portal_n = store.names.known(row["portal_id"])
    page = page_key(row["kind"], row["url"], row["rendered"])
    return portal_n is not None and _is_head(store.db.conn, "fetch_heads", "portal_n = ? and page = ? and of = ?",
                                             [portal_n, page, row["id"]])


def _is_column_head(store, crawl_id: str, row: dict) -> bool:
    ns = [store.names.known(x) for x in (row["portal_id"], row["url"], crawl_id)]
    return None not in ns and _is_head(store.db.conn, "column_heads",
                                       "portal_n = ? and url_n = ? and crawl_n = ?", ns)


def _drop_repeats(store, crawl_id: str, findings: set) -> dict[str, int]:
    crawl_n = store.names.known(crawl_id)
    out = {"fetch_repeats": 0, "column_repeats": 0}
    if crawl_n is None:
        return out
    keep = [n for n in (store.names.known(p) for p in findings) if n is not None]
    marks = ", ".join("?" * len(keep))
    for table in out:
        out[table] = store.db.conn.execute(
            f"delete from {table} where crawl_n = ? and portal_n not in ({marks})", [crawl_n, *keep]).rowcount
    return out


def _repeats(store, state_table: str, key: tuple, content: tuple, rows: list[dict], started: str,
             findings: set) -> list[dict]:
    """The rows (of one crawl, by portal) that repeat, in every ``content`` field, the last row kept
    of the same page (``key``); the others become the last rows kept. A portal with a finding in
    the crawl keeps all its rows. The state is read and written one portal at a time."""
    out = []
    portals: dict[str, list[dict]] = {}
    for r in rows:
        portals.setdefault(r["portal_id"], []).append(r)
    for portal, group in portals.items():
        last = {s["page"]: (s["facts"], s["started"]) for s in store.query(
            f"select page, facts, started from {state_table} where portal_id = ?", [portal])}
        updates = []
        for r in group:
            page = "\x1f".join("" if r[k] is None else str(r[k]) for k in key)
            facts = facts_digest(r, content).hex()
            previous = last.get(page)
            if previous is not None and previous[1] > started:
                continue  # a crawl merged in late, older than what was rolled up: left as it is
            if previous is not None and previous[0] == facts and portal not in findings:
                out.append(r)
            elif previous != (facts, started):
                last[page] = (facts, started)
                updates.append((portal, page, facts, started))
        store.db.conn.executemany(f"insert or replace into {state_table} (portal_id, page, facts, started) "
                                  "values (?, ?, ?, ?)", updates)
    return out


def _thin_verdicts(store, crawl_id: str) -> int:
    """The crawl's verdicts that are no finding (ok, or unknown) lose their evidence; an unknown
    keeps the one fact later judgements read from it: nothing failed (``none_failed``)."""
    def keep(level, evidence):
        return NONE_FAILED if level == "unknown" and _none_failed(evidence) else None
    return thin_evidence(store.db.conn, crawl_id, keep, store.names)


NONE_FAILED = json.dumps({"none_failed": True}, separators=COMPACT)


def _none_failed(evidence: str) -> bool:
    try:
        decoded = json.loads(evidence)
    except ValueError:
        return False
    return isinstance(decoded, dict) and decoded.get("none_failed") is True


def _thin_portal_crawls(store, crawl_id: str, findings: set) -> int:
    """The crawl's portal records keep their summary; the detail of what was read (the homepage
    elements found, boards, personal data, harmful content, link checks) is dropped where no
    finding rests on it: the verdicts carry what was found, and a passing element's description
    repeats every day (about half a rolled-up portal record)."""
    rows = [(crawl_id, r["portal_id"]) for r in store.query(
        "select portal_id from portal_crawls where crawl_id = ? and coalesce(boards, privacy, harmful, "
        "link_checks, error_link, policy_column) is not null", [crawl_id]) if r["portal_id"] not in findings]
    store.db.conn.executemany("update portal_crawls set boards = null, privacy = null, harmful = null, "
                              "link_checks = null, error_link = null, policy_column = null "
                              "where crawl_id = ? and portal_id = ?", rows)
    return len(rows)
