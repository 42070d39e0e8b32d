"""Reading what the rules judge (``PortalState``) and what regressions compare (verdict histories)
out of the store, and writing verdicts and baselines back."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from monitor.clock import iso, parse_now
from monitor.regressions import VerdictRecord
from monitor.rules.state import ColumnState, PortalState, Visit
from monitor.store import new_id, utcnow


def _date(value: str | None) -> date | datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


def _json(value: str | None) -> dict | None:
    return json.loads(value) if value else None


def crawl_now(crawl: dict) -> datetime:
    """The clock a crawl ran at: its ``MONITOR_NOW`` if it had one, else when it started."""
    return parse_now(crawl["now"] or crawl["started"])


def load_states(store, crawl_id: str, visit_days: int = 7, repost_days: int | None = None) -> list[PortalState]:
    """One ``PortalState`` per portal of a ``portal`` crawl, with the probe visits of the
    ``visit_days`` before the crawl's clock and the reposts summary of the window."""
    crawl = store.crawl(crawl_id)
    now = crawl_now(crawl)
    since = iso(now - timedelta(days=visit_days))
    until = iso(now + timedelta(hours=1))
    portals = {p["id"]: p for p in store.portals()}
    rows = store.query("select * from portal_crawls where crawl_id = ?", [crawl_id])
    columns: dict[str, list[ColumnState]] = {}
    for c in store.query("select * from columns where crawl_id = ?", [crawl_id]):
        columns.setdefault(c["portal_id"], []).append(ColumnState(
            url=c["url"], name=c["name"] or "", type=c["type"], max_age_days=c["max_age_days"],
            newest=_date(c["newest"]), blank=bool(c["blank"]), fetched=bool(c["fetched"]),
            entries=c["entries"] or 0))
    visits: dict[str, list[Visit]] = {}
    for v in store.query("select * from visits where at >= ? and at <= ? order by at", [since, until]):
        visits.setdefault(v["portal_id"], []).append(Visit(
            at=datetime.fromisoformat(v["at"]), ok=bool(v["ok"]), error=v["error"],
            latency_ms=v["latency_ms"], valid_round=bool(v["valid"])))
    reposts = _reposts_summary(store, now, repost_days)
    states = []
    for r in rows:
        p = portals.get(r["portal_id"], {})
        states.append(PortalState(
            portal_id=r["portal_id"], name=p.get("name", ""), region=p.get("region", ""),
            status=p.get("status", "active") if r["outcome"] != "closed" else "closed",
            registry_site_code=p.get("site_code"), crawl_id=crawl_id, crawled_at=now,
            homepage_ok=None if r["outcome"] in ("incomplete",) else r["outcome"] == "fetched",
            homepage_error=r["homepage_error"], homepage_url=r["homepage_url"],
            homepage_newest=_date(r["homepage_newest"]), homepage_dated_items=r["homepage_dated_items"] or 0,
            navigation_only=bool(r["navigation_only"]), columns=columns.get(r["portal_id"], []),
            visits=visits.get(r["portal_id"], []), error_link=_json(r["error_link"]),
            policy_column=_json(r["policy_column"]), reposts=reposts.get(r["portal_id"]),
            migrated_ok=None if r["migrated_ok"] is None else bool(r["migrated_ok"])))
    return states


def _reposts_summary(store, now: datetime, window_days: int | None = None) -> dict[str, dict]:
    """Per-portal repost figures over the window of State Council releases before ``now``."""
    from monitor.reposts import summarize, window_since
    from monitor.settings_defaults import MONITOR_DEFAULTS
    days = int(window_days) if window_days else int(MONITOR_DEFAULTS["MONITOR_REPOSTS_WINDOW_DAYS"])
    result = summarize(store, since=window_since(now, days), now=now)
    return {r["portal_id"]: r for r in result["portals"]}


def save_verdicts(store, crawl_id: str, at: datetime, verdicts: dict[str, list]) -> None:
    rows = []
    for portal_id, vs in verdicts.items():
        for v in vs:
            rows.append({"crawl_id": crawl_id, "portal_id": portal_id, "rule": v.rule,
                         "passed": None if v.passed is None else int(v.passed), "level": v.level,
                         "value": json.dumps(v.value, ensure_ascii=False, default=str),
                         "evidence": json.dumps(v.evidence, ensure_ascii=False, default=str),
                         "at": iso(at)})
    with store.db.conn:
        store.db.execute("delete from verdicts where crawl_id = ?", [crawl_id])
        if rows:
            store.db["verdicts"].insert_all(rows, pk=("crawl_id", "portal_id", "rule"))


def verdict_history(store, portal_ids: list[str] | None = None) -> list[VerdictRecord]:
    """Verdicts of finished ``portal`` crawls, oldest first."""
    sql = ("select v.* from verdicts v join crawls c on c.id = v.crawl_id "
           "where c.status = 'finished' and c.spider = 'portal'")
    args: list = []
    if portal_ids is not None:
        sql += f" and v.portal_id in ({','.join('?' * len(portal_ids))})"
        args += portal_ids
    out = []
    for r in store.query(sql + " order by v.at, c.finished", args):
        out.append(VerdictRecord(
            portal_id=r["portal_id"], crawl_id=r["crawl_id"], at=datetime.fromisoformat(r["at"]),
            rule=r["rule"], passed=None if r["passed"] is None else bool(r["passed"]), level=r["level"],
            value=json.loads(r["value"]) if r["value"] else None,
            evidence=json.loads(r["evidence"]) if r["evidence"] else {}))
    return out


def mark_baselines(store, crawl_id: str, portal_ids: list[str], note: str | None) -> int:
    rows = [{"id": new_id(), "portal_id": pid, "crawl_id": crawl_id, "marked_at": utcnow(), "note": note}
            for pid in portal_ids]
    with store.db.conn:
        store.db["baselines"].insert_all(rows, pk="id")
    return len(rows)


def baselines_in_force(store) -> dict[str, str]:
    """The newest baseline mark per portal."""
    out: dict[str, str] = {}
    for r in store.query("select portal_id, crawl_id from baselines order by marked_at, rowid"):
        out[r["portal_id"]] = r["crawl_id"]
    return out


def latest_portal_crawl_per_portal(store, crawl_id: str | None = None) -> dict[str, str]:
    """For each portal, its latest finished ``portal`` crawl (or ``crawl_id``'s, when given)."""
    if crawl_id:
        rows = store.query("select portal_id, crawl_id from portal_crawls where crawl_id = ?", [crawl_id])
    else:
        rows = store.query(
            "select pc.portal_id, pc.crawl_id from portal_crawls pc join crawls c on c.id = pc.crawl_id "
            "where c.status = 'finished' and c.spider = 'portal' order by c.finished")
    return {r["portal_id"]: r["crawl_id"] for r in rows}


def save_audits(store, rows: list[dict]) -> None:
    now = utcnow()
    with store.db.conn:
        store.db["audits"].upsert_all([{**r, "imported_at": now} for r in rows], pk=("portal_id", "audited_on"))
