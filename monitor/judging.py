"""Judging a finished crawl: every official rule for every portal, stored as verdicts.

The store gives rows (``monitor.store.states``); this module turns them into the rules'
``PortalState`` (the crawl's facts, the probe and crawl visits of the window, the reposts summary)
and stores what ``monitor.rules.judge_all`` says.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from monitor.clock import iso
from monitor.config import MonitorSettings
from monitor.extract.errorlink import ErrorLink
from monitor.extract.policy import PolicyColumn
from monitor.regressions import VerdictRecord
from monitor.reposts import summarize, window_since
from monitor.rules import build_rules, judge_all
from monitor.rules.state import ColumnState, PortalState, Visit
from monitor.store.states import (column_rows, crawl_homepage_fetches, crawl_now, portal_crawl_rows,
                                  save_verdicts, unjudged_crawls, verdict_rows, visit_rows)


def judge_crawl(store, crawl_id: str, settings: MonitorSettings | None = None) -> dict[str, list]:
    """Judge every portal of a ``portal`` crawl at the crawl's own clock; store and return verdicts."""
    settings = settings or MonitorSettings.load()
    crawl = store.crawl(crawl_id)
    if crawl is None or crawl["spider"] != "portal":
        return {}
    now = crawl_now(crawl)
    rules = build_rules(settings)
    states = load_states(store, crawl_id, settings.reachable_window_days, settings.repost_window_days,
                         settings)
    verdicts = {s.portal_id: judge_all(s, now, rules=rules) for s in states}
    save_verdicts(store, crawl_id, now, verdicts)
    return verdicts


def judge_missing(store, settings: MonitorSettings | None = None) -> int:
    """Judge finished ``portal`` crawls that have no verdicts yet (e.g. written by an older version)."""
    crawl_ids = unjudged_crawls(store)
    for crawl_id in crawl_ids:
        judge_crawl(store, crawl_id, settings)
    return len(crawl_ids)


def verdict_history(store, portal_ids: list[str] | None = None) -> list[VerdictRecord]:
    """Verdicts of finished ``portal`` crawls, oldest first, as the regression finders take them."""
    return [VerdictRecord(portal_id=r["portal_id"], crawl_id=r["crawl_id"], at=r["at"], rule=r["rule"],
                          passed=r["passed"], level=r["level"], value=r["value"], evidence=r["evidence"])
            for r in verdict_rows(store, portal_ids)]


#: a crawl's homepage fetch that answered with a redirect reached the portal's server: a visit that
#: succeeded (the probe, which does not follow redirects, counts it so too)
_ANSWERED = (None, "offhost_redirect", "redirect_loop")


def crawl_visits(store, since: datetime, until: datetime, current: str | None,
                 settings: MonitorSettings) -> list[tuple[str, Visit]]:
    """Every portal crawl's homepage fetch in the window as a visit, on the crawl's clock. A crawl
    in which most homepages failed at once says more about our network than about the portals: its
    visits are invalid, as a probe round's would be."""
    rows = crawl_homepage_fetches(store, since - timedelta(days=1), until, current)
    by_crawl: dict[str, list[dict]] = {}
    for r in rows:
        by_crawl.setdefault(r["crawl_id"], []).append(r)
    out = []
    for crawl_rows in by_crawl.values():
        failed = sum(1 for r in crawl_rows if r["error"] not in _ANSWERED)
        valid = not (len(crawl_rows) >= settings.probe_invalid_min_portals and failed > 0
                     and failed / len(crawl_rows) >= settings.probe_invalid_share)
        for r in crawl_rows:
            offset = datetime.fromisoformat(r["fetched_at"]) - datetime.fromisoformat(r["started"])
            # on the crawl's clock; the crawl being judged is judged at its start, which its own
            # homepage fetches (seconds later) count as
            at = min(r["crawl_now"] + max(offset, timedelta(0)), until) if r["crawl_id"] == current \
                else r["crawl_now"] + max(offset, timedelta(0))
            if not since < at <= until:
                continue
            out.append((r["portal_id"], Visit(at=at, ok=r["error"] in _ANSWERED, error=r["error"],
                                              latency_ms=r["latency_ms"], valid_round=valid,
                                              source="crawl")))
    return out


def load_states(store, crawl_id: str, visit_days: int = 7, repost_days: int = 30,
                settings: MonitorSettings | None = None) -> list[PortalState]:
    """One ``PortalState`` per portal of a ``portal`` crawl, with the probe visits of the
    ``visit_days`` before the crawl's clock and the reposts summary of the window."""
    settings = settings or MonitorSettings()
    crawl = store.crawl(crawl_id)
    now = crawl_now(crawl)
    since = iso(now - timedelta(days=visit_days))
    until = iso(now + timedelta(hours=1))
    portals = {p["id"]: p for p in store.portals()}
    columns: dict[str, list[ColumnState]] = {}
    for c in column_rows(store, crawl_id):
        columns.setdefault(c["portal_id"], []).append(ColumnState(
            url=c["url"], name=c["name"] or "", type=c["type"], max_age_days=c["max_age_days"],
            newest=_date(c["newest"]), blank=bool(c["blank"]), fetched=bool(c["fetched"]),
            entries=c["entries"] or 0))
    visits: dict[str, list[Visit]] = {}
    for v in visit_rows(store, since, until):
        visits.setdefault(v["portal_id"], []).append(Visit(
            at=datetime.fromisoformat(v["at"]), ok=bool(v["ok"]), error=v["error"],
            latency_ms=v["latency_ms"], valid_round=bool(v["valid"])))
    for visit_portal, visit in crawl_visits(store, now - timedelta(days=visit_days), now, crawl_id, settings):
        visits.setdefault(visit_portal, []).append(visit)
    reposts = {r["portal_id"]: r
               for r in summarize(store, since=window_since(now, repost_days), now=now)["portals"]}
    states = []
    for r in portal_crawl_rows(store, crawl_id):
        p = portals.get(r["portal_id"], {})
        states.append(PortalState(
            portal_id=r["portal_id"], name=p.get("name", ""), region=p.get("region", ""),
            status=p.get("status", "active") if r["outcome"] != "closed" else "closed",
            registry_site_code=p.get("site_code"), crawl_id=crawl_id, crawled_at=now,
            homepage_ok=None if r["outcome"] in ("incomplete",) else r["outcome"] == "fetched",
            homepage_error=r["homepage_error"], homepage_url=r["homepage_url"],
            homepage_newest=_date(r["homepage_newest"]), homepage_dated_items=r["homepage_dated_items"] or 0,
            navigation_only=bool(r["navigation_only"]), columns=columns.get(r["portal_id"], []),
            visits=visits.get(r["portal_id"], []),
            error_link=ErrorLink.from_json(_json(r["error_link"])),
            policy_column=PolicyColumn.from_json(_json(r["policy_column"])),
            reposts=reposts.get(r["portal_id"]),
            migrated_ok=None if r["migrated_ok"] is None else bool(r["migrated_ok"])))
    return states


def _date(value: str | None) -> date | datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


def _json(value: str | None) -> dict | None:
    return json.loads(value) if value else None
