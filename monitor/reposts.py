"""Reposts of State Council releases: the matching job over the store, and the per-portal summary.

The notice (国办 quarterly spot check) counts the sites that repost important State Council
information within 24 hours (78% in 2016 Q4). Per portal, over a window of releases (default 30
days, ``MONITOR_REPOST_WINDOW_DAYS``):

- ``releases``: State Council releases published in the window (the same for every portal);
- ``reposted``: releases of the window the portal reposted (any entry matched);
- ``within_24h``: releases reposted within 24 hours (``monitor.match.within_24h``: a date-only entry
  counts when dated the same or the next day);
- ``median_lag_hours``: the median, over reposted releases, of the earliest repost's lag (entries
  with a time only);

and nationally the share of monitored portals with at least one repost within 24 hours. Monitored
portals: those with a fetched homepage or an entry seen in the window.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from typing import Sequence

from monitor.clock import iso
from monitor.clock import SHANGHAI
from monitor.match import DEFAULT_THRESHOLD, Entry, Matcher, Release, parse_published, within_24h
from monitor.store import Store, utcnow
from monitor.store import reposts as q

__all__ = ["window_since", "match_window", "summarize", "RELEASE_MARGIN_DAYS"]

#: releases this many days older than the window are matched too, so that a late entry of the window
#: that reposts an older release is attributed to it rather than to a similar release of the window
RELEASE_MARGIN_DAYS = 7


def window_since(now: datetime, days: int) -> date:
    return (now.astimezone(SHANGHAI) - timedelta(days=days)).date()


def _utc_start(day: date) -> str:
    """The UTC ISO instant at which ``day`` begins in Beijing (for ``last_seen`` comparisons)."""
    return datetime.combine(day, time(0), SHANGHAI).astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse(value: str | None):
    try:
        return parse_published(value)
    except ValueError:
        return None


def match_window(store: Store, *, since: date, now: datetime | None = None,
                 threshold: float = DEFAULT_THRESHOLD, portal_ids: Sequence[str] | None = None,
                 seen_since: str | None = None) -> dict:
    """Match entries of the window (from ``since``; of ``portal_ids``; seen after ``seen_since``)
    against the stored releases and replace their ``reposts`` rows. Returns counts."""
    release_rows = q.releases_since(store, (since - timedelta(days=RELEASE_MARGIN_DAYS)).isoformat(),
                                    iso(now + timedelta(days=2)) if now else None)
    releases = [Release(r["id"], r["title"], r["url"], _parse(r["published"])) for r in release_rows]
    by_id = {r.id: r for r in releases}
    # an entry may be dated a day before its release when a portal's clock or date field is off
    entry_rows = q.entries_to_match(store, (since - timedelta(days=1)).isoformat(),
                                    seen_since=seen_since, portal_ids=portal_ids)
    entries = [Entry(e["id"], e["portal_id"], e["title"] or "", e["url"], _parse(e["published"]))
               for e in entry_rows]
    matches = Matcher(releases, threshold=threshold).match_all(entries) if releases and entries else []
    portal_of = {e.id: e for e in entries}
    matched_at = utcnow()
    rows = []
    for m in matches:
        entry, release = portal_of[m.entry_id], by_id[m.release_id]
        inside = within_24h(entry.published, release.published)
        rows.append({"entry_id": m.entry_id, "release_id": m.release_id, "portal_id": entry.portal_id,
                     "score": m.score, "lag_hours": None if m.lag_hours is None else round(m.lag_hours, 2),
                     "within_24h": None if inside is None else int(inside), "matched_at": matched_at})
    q.replace_reposts(store, [e.id for e in entries], rows)
    return {"releases": len(releases), "entries": len(entries), "matched": len(rows)}


def summarize(store: Store, *, since: date, now: datetime, portal_ids: Sequence[str] | None = None,
              regions: Sequence[str] | None = None) -> dict:
    """Per-portal repost figures over releases published from ``since`` up to ``now``, and the
    national figure. Returns ``{"window": {...}, "portals": [...], "national": {...}}``; each
    portal record has the keys ``PortalState.reposts`` expects."""
    since_s, until_s = since.isoformat(), iso(now)
    releases = q.releases_since(store, since_s, until_s)
    info = q.portals_info(store)
    wanted = set(portal_ids) if portal_ids else None
    if regions:
        by_region = {pid for pid, p in info.items() if p.get("region") in set(regions)}
        wanted = by_region if wanted is None else wanted & by_region
    reposts = q.reposts_since(store, since_s, until_s, sorted(wanted) if wanted is not None else None)
    monitored = q.monitored_portals(store, _utc_start(since))
    ids = monitored | {r["portal_id"] for r in reposts}
    ids = {pid for pid in ids if info.get(pid, {}).get("status", "active") == "active"}
    if wanted is not None:
        ids &= wanted
    per: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    inside: dict[str, set] = defaultdict(set)
    for r in reposts:
        per[r["portal_id"]][r["release_id"]].append(r["lag_hours"])
        if r["within_24h"]:
            inside[r["portal_id"]].add(r["release_id"])
    window = {"since": since_s, "until": until_s, "days": (now.astimezone(SHANGHAI).date() - since).days,
              "releases": len(releases)}
    records = []
    for pid in sorted(ids, key=lambda p: (info.get(p, {}).get("region") or "", p)):
        lags = [min(known) for known in ([x for x in v if x is not None] for v in per[pid].values()) if known]
        records.append({
            "portal_id": pid, "name": info.get(pid, {}).get("name"), "region": info.get(pid, {}).get("region"),
            "window_days": window["days"], "releases": len(releases), "reposted": len(per[pid]),
            "within_24h": len(inside[pid]),
            "median_lag_hours": round(statistics.median(lags), 2) if lags else None,
        })
    judged = records if releases else []
    hit = sum(1 for r in judged if r["within_24h"] > 0)
    national = {"portals": len(judged), "portals_within_24h": hit,
                "share_within_24h": round(hit / len(judged), 4) if judged else None}
    return {"window": window, "portals": records, "national": national}
