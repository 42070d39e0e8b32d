"""国务院重要政策 24 小时内转载: reposts of State Council releases within a day."""

from __future__ import annotations

from datetime import datetime

from monitor.rules.base import Rule, fail, ok, unknown


class Reposts24h(Rule):
    """The portal reposted none of the State Council's policy releases of the window (default 30
    days) within 24 hours. Unknown when there was no release in the window. The national figure
    (national_repost_share) is the share of portals that did, as in the quarterly notice.
    """

    id = "reposts_24h"
    indicator = "国办季度抽查通报: 24小时内转载国务院重要政策信息的网站比例"
    veto = False
    settings = {"MONITOR_REPOST_WINDOW_DAYS": "window_days"}

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        reposts = state.reposts
        if reposts is None:
            return unknown(self.id, None, reason="not_checked")
        evidence = {
            "window_days": reposts.get("window_days", self.window_days),
            "releases": int(reposts.get("releases") or 0),
            "reposted": int(reposts.get("reposted") or 0),
            "within_24h": int(reposts.get("within_24h") or 0),
            "median_lag_hours": reposts.get("median_lag_hours"),
            "crawl_id": state.crawl_id,
        }
        if evidence["releases"] <= 0:
            return unknown(self.id, None, reason="no_releases", **evidence)
        if evidence["within_24h"] <= 0:
            return fail(self.id, 0, reason="none_within_24h", **evidence)
        return ok(self.id, evidence["within_24h"], **evidence)
