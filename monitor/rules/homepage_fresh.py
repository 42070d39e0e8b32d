"""首页不更新: the age of the newest dated item on the homepage."""

from __future__ import annotations

from datetime import datetime

from monitor.rules.base import Rule, age_days, fail, iso, local_date, ok, unknown, warn


class HomepageFresh(Rule):
    """The homepage shows no new item for more than 14 days; an undated homepage counts as not
    updated. A navigation-only homepage is judged by the newest item of its column pages. Warns
    after 10 days.
    """

    id = "homepage_fresh"
    indicator = "国办秘函〔2019〕19号 单项否决: 首页栏目信息更新 (首页2周无新信息, 无日期按未更新)"
    veto = True
    settings = {
        "MONITOR_HOMEPAGE_MAX_AGE_DAYS": "max_age_days",
        "MONITOR_HOMEPAGE_WARN_DAYS": "warn_days",
    }

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        evidence = {"url": state.homepage_url, "max_age_days": self.max_age_days,
                    "crawl_id": state.crawl_id}
        if state.navigation_only:
            fetched = [c for c in state.columns if c.fetched]
            if not fetched:
                return unknown(self.id, None, reason="navigation_only_no_columns_fetched",
                               columns=len(state.columns), **evidence)
            dated = [c for c in fetched if c.newest is not None]
            newest_col = max(dated, key=lambda c: local_date(c.newest)) if dated else None
            newest = newest_col.newest if newest_col else None
            evidence.update(source="columns", columns_fetched=len(fetched),
                            newest_column=newest_col.url if newest_col else None)
        else:
            newest = state.homepage_newest
            evidence.update(source="homepage", dated_items=state.homepage_dated_items)
        if newest is None:
            return fail(self.id, "undated", reason="no_dated_item", newest=None, **evidence)
        age = age_days(newest, now)
        evidence.update(newest=iso(local_date(newest)), age_days=age)
        if age < 0:
            evidence["future_date"] = True
        if age > self.max_age_days:
            return fail(self.id, age, reason="stale", **evidence)
        if age > self.warn_days:
            return warn(self.id, age, reason="ageing", **evidence)
        return ok(self.id, age, **evidence)
