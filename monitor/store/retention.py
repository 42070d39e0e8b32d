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
finding rests on it. Bodies no fetch
refers to any more are deleted. The probe's visits are rolled up per day already
(``monitor/store/visits.py``).

``monitor evidence`` on a rolled-up crawl shows the nearest earlier kept fetch of the page, which is
the same content by construction.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from monitor.store.crawls import COMPACT
from monitor.store.states import crawl_now


def old_portal_crawls(store, before: datetime) -> list[dict]:
    """Finished ``portal`` crawls whose clock is before ``before``, oldest first."""
    crawls = store.query("select id, now, started from crawls where spider = 'portal' and status != 'running' "
                         "order by started")
    return [c for c in crawls if crawl_now(c) < before]


def roll_up(store, retention_days: int, now: datetime) -> dict[str, int]:
    """Roll up the per-crawl rows of portal crawls older than ``retention_days`` (0: keep all).
    Returns counts of what was removed."""
    counts = {"crawls": 0, "fetches": 0, "columns": 0, "verdict_evidence": 0, "portal_details": 0, "bodies": 0}
    if retention_days <= 0:
        return counts
    old = old_portal_crawls(store, now - timedelta(days=retention_days))
    if not old:
        return counts
    order = {c["id"]: i for i, c in enumerate(store.query(
        "select id from crawls where spider = 'portal' order by started"))}
    old_ids = [c["id"] for c in old]
    counts["crawls"] = len(old_ids)
    with store.transaction():
        findings = {(r["crawl_id"], r["portal_id"]) for r in store.query(
            "select distinct crawl_id, portal_id from verdicts where level in ('fail', 'warn')")}
        drop_fetches = _unchanged_fetches(store, set(old_ids), order, findings)
        _delete(store, "fetches", "id", drop_fetches)
        counts["fetches"] = len(drop_fetches)
        drop_columns = _unchanged_columns(store, set(old_ids), order, findings)
        _delete_columns(store, drop_columns)
        counts["columns"] = len(drop_columns)
        counts["verdict_evidence"] = _thin_verdicts(store, set(old_ids))
        counts["portal_details"] = _thin_portal_crawls(store, set(old_ids), findings)
        cur = store.db.execute("delete from bodies where not exists "
                               "(select 1 from fetches f where f.body_hash = bodies.hash)")
        counts["bodies"] = cur.rowcount
    return counts


def _unchanged_fetches(store, old: set[str], order: dict[str, int], findings: set) -> list[str]:
    rows = store.query("select id, crawl_id, portal_id, kind, url, rendered, status, error, final_url, "
                       "body_hash from fetches")
    return [r["id"] for r in _repeats(rows, order, old, findings, ("portal_id", "kind", "url", "rendered"),
                                      ("status", "error", "final_url", "body_hash"))]


def _unchanged_columns(store, old: set[str], order: dict[str, int], findings: set) -> list[tuple]:
    rows = store.query("select crawl_id, portal_id, url, name, type, max_age_days, newest, blank, entries, "
                       "fetched from columns")
    return [(r["crawl_id"], r["portal_id"], r["url"]) for r in _repeats(
        rows, order, old, findings, ("portal_id", "url"),
        ("name", "type", "max_age_days", "newest", "blank", "entries", "fetched"))]


def _repeats(rows: list[dict], order: dict[str, int], old: set[str], findings: set, key: tuple,
             content: tuple) -> list[dict]:
    """Rows of old crawls, without a finding, that repeat the previous row of the same ``key``
    (in crawl order) in every ``content`` field: they said nothing new."""
    rows.sort(key=lambda r: order.get(r["crawl_id"], -1))
    last: dict[tuple, tuple] = {}
    out = []
    for r in rows:
        page, facts = tuple(r[k] for k in key), tuple(r[k] for k in content)
        same = last.get(page) == facts
        last[page] = facts
        if same and r["crawl_id"] in old and (r["crawl_id"], r["portal_id"]) not in findings:
            out.append(r)
    return out


def _thin_verdicts(store, old: set[str]) -> int:
    """Old verdicts that are no finding (ok, or unknown) lose their evidence; an unknown keeps the
    one fact later judgements read from it: nothing failed (``none_failed``)."""
    rows = [r for r in store.query("select crawl_id, portal_id, rule, level, evidence from verdicts "
                                   "where level in ('ok', 'unknown') and evidence is not null "
                                   "and evidence not in (?, ?)", [NONE_FAILED, '{"none_failed": true}'])
            if r["crawl_id"] in old]
    updates = []
    for r in rows:
        keep = None
        if r["level"] == "unknown" and _none_failed(r["evidence"]):
            keep = NONE_FAILED
        if r["evidence"] != keep:
            updates.append((keep, r["crawl_id"], r["portal_id"], r["rule"]))
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


def _thin_portal_crawls(store, old: set[str], findings: set) -> int:
    """Old portal records keep their summary; the detail of what was read below the homepage is
    dropped where no finding rests on it (the verdicts carry what was found)."""
    rows = [(r["crawl_id"], r["portal_id"]) for r in store.query(
        "select crawl_id, portal_id from portal_crawls where coalesce(boards, privacy, harmful, link_checks) "
        "is not null") if r["crawl_id"] in old and (r["crawl_id"], r["portal_id"]) not in findings]
    store.db.conn.executemany("update portal_crawls set boards = null, privacy = null, harmful = null, "
                              "link_checks = null where crawl_id = ? and portal_id = ?", rows)
    return len(rows)


def _delete(store, table: str, key: str, ids: list[str]) -> None:
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        store.db.execute(f"delete from {table} where {key} in ({','.join('?' * len(chunk))})", chunk)


def _delete_columns(store, keys: list[tuple]) -> None:
    store.db.conn.executemany("delete from columns where crawl_id = ? and portal_id = ? and url = ?", keys)
