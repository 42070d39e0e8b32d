"""伪造更新时间: list entries re-dated to look new (see monitor.rules.redating)."""

from __future__ import annotations

from datetime import datetime

from monitor.rules.base import Rule, fail, local_date, ok, unknown
from monitor.rules.redating import redated_entries, redated_lists

MAX_LISTED = 20


class ForgedDates(Rule):
    """An entry's printed date moved forward while its title and URL stayed the same, or a whole list
    was dated the crawl day although most of its entries had been listed before: the tricks that
    dodge the two-week update rule after a check. Re-datings seen in the last 90 days are judged.
    Unknown before the portal has been crawled on two days (nothing failed: a baseline at the first
    crawl is compared with later ones). Re-dated entries never count as updates
    for homepage_fresh and columns_fresh (their newest date is monitor.rules.redating.honest_newest).
    """

    id = "forged_dates"
    indicator = "国办秘函〔2019〕19号 单项否决: 严重错误 (伪造信息发布日期/更新时间)"
    veto = True
    unknown_blocks = False
    settings = {
        "MONITOR_FORGED_MIN_ENTRIES": "min_entries",
        "MONITOR_FORGED_REDATED_SHARE": "redated_share",
        "MONITOR_FORGED_SEEN_BEFORE_SHARE": "seen_before_share",
        "MONITOR_FORGED_WINDOW_DAYS": "window_days",
    }

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if state.sightings is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        today = local_date(now)
        days = sorted({local_date(d) for d in state.crawl_days or ()}
                      or {local_date(s.first_seen) for rows in state.sightings.values() for s in rows}
                      | {local_date(s.last_seen) for rows in state.sightings.values() for s in rows})
        evidence = {"lists": len(state.sightings), "crawl_days": len(days),
                    "window_days": self.window_days, "crawl_id": state.crawl_id}
        if len(days) < 2:
            # nothing to compare yet, and so nothing re-dated: a baseline taken at a portal's first
            # crawl still counts as "did not fail", so re-dating after it shows as a regression
            return unknown(self.id, None, reason="single_crawl", none_failed=True, **evidence)
        entries, lists = [], []
        for url, rows in state.sightings.items():
            for r in redated_entries(rows):
                if (today - r.redated_seen).days <= self.window_days:
                    entries.append({"list": url, **r.to_json()})
            for r in redated_lists(rows, days, self.min_entries, self.redated_share,
                                   self.seen_before_share):
                if (today - r.day).days <= self.window_days:
                    lists.append({"list": url, **r.to_json()})
        evidence.update(redated_entries=len(entries), redated_lists=len(lists),
                        entries=entries[:MAX_LISTED], lists=lists[:MAX_LISTED])
        if entries or lists:
            return fail(self.id, len(entries) + len(lists), reason="redated", **evidence)
        return ok(self.id, 0, **evidence)
