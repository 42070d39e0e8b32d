"""Keeping a year of daily crawls small: old per-crawl rows rolled up to what changed.

Fetch rows (and the column rows of the same crawls) older than ``MONITOR_FETCH_RETENTION_DAYS``
are kept only where something changed: for each portal page (portal, kind, URL, rendered), a row is
kept when its status, error, final URL or body differs from the last row kept for that page; the
rows in between said nothing new. Every fetch of a crawl and portal with a finding (a failing or
warning verdict) is kept, so the evidence behind every finding stays. Verdicts are never deleted;
those of old crawls that passed or are unknown keep their level and value but drop their evidence,
which backs no finding (a stable portal's passing evidence, repeated daily, is most of a year's
store); an unknown keeps ``none_failed`` (it decides whether a later failure regressed). The old
portal records drop the detail of boards, personal data, harmful content and link checks where no
finding rests on it. The probe's visits are rolled up per day already
(``monitor/store/visits.py``).

``monitor evidence`` on a rolled-up crawl shows the nearest earlier kept fetch of the page, which is
the same content by construction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from monitor.clock import iso
from monitor.store.crawls import COMPACT
from monitor.store.states import crawl_now

#: what makes two fetches of a page the same, and two rows of a column
FETCH_FACTS = ("status", "error", "final_url", "body_hash")
COLUMN_FACTS = ("name", "type", "max_age_days", "newest", "blank", "entries", "fetched")


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
        if crawl["id"] in done:
            continue
        with store.transaction():
            found = _roll_up_crawl(store, crawl)
            store.db.execute("insert or replace into rollups (crawl_id, started, rolled_at, counts) "
                             "values (?, ?, ?, ?)", [crawl["id"], crawl["started"], iso(now),
                                                     json.dumps(found, separators=COMPACT)])
        counts["crawls"] += 1
        for key, value in found.items():
            counts[key] += value
    return counts


def _roll_up_crawl(store, crawl: dict) -> dict[str, int]:
    crawl_id, started = crawl["id"], crawl["started"]
    findings = {r["portal_id"] for r in store.query(
        "select distinct portal_id from verdicts where crawl_id = ? and level in ('fail', 'warn')", [crawl_id])}
    fetches = store.query(f"select id, portal_id, kind, url, rendered, {', '.join(FETCH_FACTS)} from fetches "
                          "where crawl_id = ? order by portal_id", [crawl_id])
    for row in fetches:  # an empty final_url says "no redirect", as the URL itself used to
        row["final_url"] = row["final_url"] or row["url"]
    drop = _repeats(store, "rollup_pages", ("kind", "url", "rendered"), FETCH_FACTS, fetches, started, findings)
    store.db.conn.executemany("delete from fetches where id = ?", [(r["id"],) for r in drop])
    columns = store.query(f"select portal_id, url, {', '.join(COLUMN_FACTS)} from columns where crawl_id = ? "
                          "order by portal_id", [crawl_id])
    drop_columns = _repeats(store, "rollup_columns", ("url",), COLUMN_FACTS, columns, started, findings)
    store.db.conn.executemany("delete from columns where crawl_id = ? and portal_id = ? and url = ?",
                              [(crawl_id, r["portal_id"], r["url"]) for r in drop_columns])
    return {"fetches": len(drop), "columns": len(drop_columns),
            "verdict_evidence": _thin_verdicts(store, crawl_id),
            "portal_details": _thin_portal_crawls(store, crawl_id, findings)}


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
            facts = _digest(r, content)
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


def _digest(row: dict, fields: tuple) -> str:
    """A short fingerprint of a row's facts (8 bytes of BLAKE2b: equality only, never shown)."""
    text = json.dumps([row[f] for f in fields], ensure_ascii=False, separators=COMPACT)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _thin_verdicts(store, crawl_id: str) -> int:
    """The crawl's verdicts that are no finding (ok, or unknown) lose their evidence; an unknown
    keeps the one fact later judgements read from it: nothing failed (``none_failed``)."""
    rows = store.query("select portal_id, rule, level, evidence from verdicts where crawl_id = ? "
                       "and level in ('ok', 'unknown') and evidence is not null", [crawl_id])
    updates = []
    for r in rows:
        keep = NONE_FAILED if r["level"] == "unknown" and _none_failed(r["evidence"]) else None
        if r["evidence"] != keep:
            updates.append((keep, crawl_id, r["portal_id"], r["rule"]))
    store.db.conn.executemany("update verdicts set evidence = ? where crawl_id = ? and portal_id = ? "
                              "and rule = ?", updates)
    return len(updates)


NONE_FAILED = json.dumps({"none_failed": True}, separators=COMPACT)


def _none_failed(evidence: str) -> bool:
    try:
        decoded = json.loads(evidence)
    except ValueError:
        return False
    return isinstance(decoded, dict) and decoded.get("none_failed") is True


def _thin_portal_crawls(store, crawl_id: str, findings: set) -> int:
    """The crawl's portal records keep their summary; the detail of what was read below the
    homepage is dropped where no finding rests on it (the verdicts carry what was found)."""
    rows = [(crawl_id, r["portal_id"]) for r in store.query(
        "select portal_id from portal_crawls where crawl_id = ? and coalesce(boards, privacy, harmful, "
        "link_checks) is not null", [crawl_id]) if r["portal_id"] not in findings]
    store.db.conn.executemany("update portal_crawls set boards = null, privacy = null, harmful = null, "
                              "link_checks = null where crawl_id = ? and portal_id = ?", rows)
    return len(rows)
