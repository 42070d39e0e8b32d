"""Availability visits: round validity and the daily roll-up of old visits."""

from __future__ import annotations

from datetime import timedelta

from monitor.clock import parse_now


def validate_round(store, round_id: str, invalid_share: float, min_portals: int) -> bool:
    """Mark a round invalid when at least ``invalid_share`` of its portals (and ``min_portals``) failed
    at once. Returns whether the round is valid."""
    row = store.query("select count(*) n, sum(1 - ok) failed from visits where round_id = ?", [round_id])[0]
    n, failed = row["n"] or 0, row["failed"] or 0
    if n >= min_portals and failed / n >= invalid_share and failed > 0:
        with store.transaction():
            store.db.execute("update visits set valid = 0 where round_id = ?", [round_id])
        return False
    return True


def rollup_visits(store, retention_days: int, now_iso: str | None = None) -> int:
    """Fold visits older than the retention into one ``visit_days`` row per portal and day, then
    delete them. The reachability rule only looks at the last week, so the default 30 days keeps
    every visit it needs. Returns the number of visits rolled up."""
    if retention_days <= 0:
        return 0
    now = parse_now(now_iso)
    cutoff = (now - timedelta(days=retention_days)).isoformat()
    db = store.db
    with store.transaction():
        rows = list(db.query(
            "select portal_id, substr(at, 1, 10) day, count(*) visits, sum(1 - ok) failed, "
            "sum(1 - valid) invalid, avg(latency_ms) latency_ms_avg from visits where at < ? "
            "group by portal_id, day", [cutoff]))
        for r in rows:
            old = list(db.query("select * from visit_days where portal_id = ? and day = ?",
                                [r["portal_id"], r["day"]]))
            if old:
                o = old[0]
                total = o["visits"] + r["visits"]
                r["latency_ms_avg"] = ((o["latency_ms_avg"] or 0) * o["visits"]
                                       + (r["latency_ms_avg"] or 0) * r["visits"]) / total
                r["visits"], r["failed"], r["invalid"] = total, o["failed"] + r["failed"], o["invalid"] + r["invalid"]
            db["visit_days"].upsert(r, pk=("portal_id", "day"))
        cur = db.execute("delete from visits where at < ?", [cutoff])
    return cur.rowcount if rows else 0
