"""栏目不更新 / 空白栏目: counts of stale and blank columns."""

from __future__ import annotations

from datetime import datetime

from monitor.rules.base import Rule, age_days, fail, iso, local_date, ok, unknown

#: most stale/blank/unknown columns listed in the evidence (counts are always complete)
MAX_LISTED = 50


class ColumnsFresh(Rule):
    """Five or more news/notice/policy columns are stale (动态/要闻 2 weeks, 通知公告/政策文件 6
    months), or ten or more columns of any type with an update limit are stale (人事, 规划计划 and the
    like: 1 year), or five or more columns are blank. A column with items but no date counts as
    stale. A column not fetched in this crawl is unknown, not stale: it is listed, not counted.
    """

    id = "columns_fresh"
    indicator = ("国办秘函〔2019〕19号 单项否决: 栏目不更新 (动态要闻类2周、通知公告政策文件类6个月"
                 "未更新≥5个, 应更新栏目1年未更新≥10个, 空白栏目≥5个)")
    veto = True
    settings = {
        "MONITOR_COLUMNS_STALE_MAX": "stale_max",
        "MONITOR_COLUMNS_STALE_ANY_MAX": "stale_any_max",
        "MONITOR_COLUMNS_BLANK_MAX": "blank_max",
        "MONITOR_COLUMNS_KEY_TYPES": "key_types",
        "MONITOR_COLUMN_MAX_AGE_DAYS": "type_limits",
    }

    def limit(self, column) -> int | None:
        if column.max_age_days is not None:
            return column.max_age_days
        return self.type_limits.get(column.type) if column.type else None

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if not state.columns:
            return unknown(self.id, None, reason="no_columns", url=state.homepage_url)
        key_types = set(self.key_types)
        stale, blank, unfetched, fresh = [], [], [], 0
        for column in state.columns:
            if not column.fetched:
                unfetched.append(column.url)
                continue
            if column.blank:
                blank.append({"url": column.url, "name": column.name, "type": column.type})
                continue
            limit = self.limit(column)
            if limit is None:
                fresh += 1
                continue
            age = age_days(column.newest, now) if column.newest is not None else None
            if age is None or age > limit:
                stale.append({"url": column.url, "name": column.name, "type": column.type,
                              "key": column.type in key_types,
                              "newest": iso(local_date(column.newest)), "age_days": age,
                              "max_age_days": limit})
            else:
                fresh += 1
        if len(unfetched) == len(state.columns):
            return unknown(self.id, None, reason="no_column_fetched", unknown=len(unfetched),
                           unknown_columns=unfetched[:MAX_LISTED])
        key_stale = sum(1 for c in stale if c["key"])
        failed_by = []
        if key_stale >= self.stale_max:
            failed_by.append("key_stale")
        if len(stale) >= self.stale_any_max:
            failed_by.append("stale")
        if len(blank) >= self.blank_max:
            failed_by.append("blank")
        value = f"key_stale={key_stale} stale={len(stale)} blank={len(blank)}"
        stale.sort(key=lambda c: (not c["key"], c["newest"] or ""))
        evidence = {
            "key_stale": key_stale, "stale": len(stale), "blank": len(blank),
            "unknown": len(unfetched), "fresh": fresh, "columns": len(state.columns),
            "thresholds": {"key_stale": self.stale_max, "stale": self.stale_any_max,
                           "blank": self.blank_max},
            "stale_columns": stale[:MAX_LISTED], "blank_columns": blank[:MAX_LISTED],
            "unknown_columns": unfetched[:MAX_LISTED], "crawl_id": state.crawl_id,
        }
        if failed_by:
            return fail(self.id, value, failed_by=failed_by, **evidence)
        return ok(self.id, value, **evidence)
