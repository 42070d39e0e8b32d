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
from monitor.clock import local_date
from monitor.extract.boards import Message
from monitor.extract.errorlink import ErrorLink
from monitor.extract.guides import Guide, GuidePair, find_copies, own_codes
from monitor.extract.harmful import HarmfulFinding
from monitor.extract.privacy import PrivacyFinding
from monitor.extract.policy import PolicyColumn
from monitor.regressions import VerdictRecord
from monitor.reposts import summarize, window_since
from monitor.rules import build_rules, judge_all
from monitor.ids import utc_iso
from monitor.rules.redating import Sighting, honest_newest
from monitor.rules.state import BoardState, ColumnState, LinkCheck, PortalState, Visit
from monitor.store.states import (column_rows, crawl_days_of_portals, crawl_homepage_fetches, crawl_now,
                                  entry_rows, latest_guides, portal_crawl_rows, save_verdicts,
                                  unjudged_crawls, verdict_rows, visit_rows)


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


def verdict_history(store, portal_ids: list[str] | None = None, failing_only: bool = False) -> list[VerdictRecord]:
    """Verdicts of finished ``portal`` crawls, oldest first, as the regression finders take them
    (``failing_only``: what they need, the checks that ever failed; see ``verdict_rows``)."""
    return [VerdictRecord(portal_id=r["portal_id"], crawl_id=r["crawl_id"], at=r["at"], rule=r["rule"],
                          passed=r["passed"], level=r["level"], value=r["value"], evidence=r["evidence"])
            for r in verdict_rows(store, portal_ids, failing_only)]


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
            migrated_ok=None if r["migrated_ok"] is None else bool(r["migrated_ok"]),
            boards=_boards(r.get("boards")), privacy=_listed(r.get("privacy"), PrivacyFinding),
            harmful=_listed(r.get("harmful"), HarmfulFinding), link_checks=_link_checks(r.get("link_checks"))))
    add_content_history(store, states, now, settings)
    return states


def add_content_history(store, states: list[PortalState], now: datetime, settings: MonitorSettings) -> None:
    """What the rules need beyond one crawl: each list's entries with their first and last
    sighting (re-dating, 伪造更新时间), the portal's crawl days, and the service guides copied
    between portals (all portals' newest guides compared at once). A list re-dated to look new
    does not count as updated: the homepage's and each column's newest date becomes the honest one
    (each entry at the first date it was printed with) when that is older."""
    ids = [s.portal_id for s in states]
    since = utc_iso(now - timedelta(days=settings.forged_window_days + 30))
    sightings: dict[str, dict[str, list[Sighting]]] = {}
    for e in entry_rows(store, ids, since):
        sightings.setdefault(e["portal_id"], {}).setdefault(e["column_url"] or "", []).append(Sighting(
            title=e["title"] or "", url=e["url"] or "", published=_date(e["published"]),
            first_seen=_instant(e["first_seen"]), last_seen=_instant(e["last_seen"]),
            first_published=_date(e["first_published"])))
    days = crawl_days_of_portals(store, ids)
    pairs = copied_guides(store, settings)
    for state in states:
        if state.homepage_ok:
            state.sightings = sightings.get(state.portal_id, {})
            state.crawl_days = sorted({local_date(d) for d in days.get(state.portal_id, [])})
            state.homepage_newest = _honest(state.homepage_newest, state.sightings.get(state.homepage_url or ""), now)
            for column in state.columns:
                column.newest = _honest(column.newest, state.sightings.get(column.url), now)
        if pairs is not None:
            state.guide_pairs = [p for p in pairs if state.portal_id in (p.copy_portal, p.source_portal)]


def copied_guides(store, settings: MonitorSettings) -> list[GuidePair] | None:
    """Near-duplicate service guides across every portal's newest guides (None: none read yet)."""
    rows = latest_guides(store)
    if not rows:
        return None
    names = {p["id"]: p.get("name") or "" for p in store.portals()}
    guides = [Guide(url=r["url"], portal_id=r["portal_id"], text=r["text"], own=own_codes(names.get(r["portal_id"], "")))
              for r in rows if r["text"]]
    return find_copies(guides, settings.guides_min_similarity, settings.guides_min_foreign)


def _honest(newest, sightings, now):
    if not sightings or newest is None:
        return newest
    honest = honest_newest(sightings, as_of=now)
    if honest is not None and honest < local_date(newest):
        return honest
    return newest


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _boards(value: str | None) -> list[BoardState] | None:
    if value is None:
        return None
    return [BoardState(url=b["url"], name=b.get("name") or "", external=bool(b.get("external")),
                       pages=int(b.get("pages") or 0), error=b.get("error"),
                       messages=[m for m in (Message.from_json(x) for x in b.get("messages") or ()) if m])
            for b in json.loads(value)]


def _listed(value: str | None, cls):
    if value is None:
        return None
    return [f for f in (cls.from_json(x) for x in json.loads(value)) if f is not None]


def _link_checks(value: str | None) -> list[LinkCheck] | None:
    """The stored link checks: live ones kept as a count (their URLs are not needed), others whole."""
    if value is None:
        return None
    data = json.loads(value)
    if isinstance(data, list):  # as first stored: every check whole
        data = {"alive": 0, "other": data}
    other = [LinkCheck(url=c["url"], status=c.get("status"), error=c.get("error"), text=c.get("text") or "",
                       source=c.get("source") or "") for c in data.get("other") or ()]
    return [LinkCheck(url="", status=200) for _ in range(int(data.get("alive") or 0))] + other


def _date(value: str | None) -> date | datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


def _json(value: str | None) -> dict | None:
    return json.loads(value) if value else None
