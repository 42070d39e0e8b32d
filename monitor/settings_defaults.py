"""Defaults of every ``MONITOR_*`` rule threshold (issue 6), merged into the Scrapy settings module.

The numbers come from the official indicators (国办秘函〔2019〕19号 and the 2015 survey table, see
shared/DESIGN.md); the ``*_WARN_*`` values are the vendors' earlier warnings. Rules read them through
``Rule.from_settings(mapping)``, which also accepts the strings ``-s NAME=VALUE`` gives.
"""

from __future__ import annotations

MONITOR_DEFAULTS: dict[str, object] = {
    # -- reachable: 站点无法访问 ---------------------------------------------------------------------
    # days of probe visits judged (official: monitored for one week)
    "MONITOR_REACHABLE_WINDOW_DAYS": 7,
    # share of failed visits that fails the portal (official veto: >= 5%)
    "MONITOR_REACHABLE_FAIL_SHARE": 0.05,
    # share of failed visits that warns (vendors: 3%)
    "MONITOR_REACHABLE_WARN_SHARE": 0.03,
    # fewest valid visits in the window for a verdict; fewer is unknown (official rate: 20 a day)
    "MONITOR_REACHABLE_MIN_VISITS": 20,
    # fewest failed visits that can fail a portal: a single timed-out visit is noise, not a veto
    "MONITOR_REACHABLE_MIN_FAILURES": 2,
    # visit error classes that say nothing about the portal: robots.txt told us to stay away, or a
    # CDN answered the monitor with an anti-bot challenge page (a visitor's browser may pass it)
    "MONITOR_REACHABLE_IGNORE_ERRORS": ("robots", "blocked"),
    # -- homepage_fresh: 首页栏目信息更新 ------------------------------------------------------------
    # days without a new homepage item that fail (official: 2 weeks; undated counts as not updated)
    "MONITOR_HOMEPAGE_MAX_AGE_DAYS": 14,
    # days without a new homepage item that warn (vendors: 10 days)
    "MONITOR_HOMEPAGE_WARN_DAYS": 10,
    # -- columns_fresh: 栏目不更新 / 空白栏目 ---------------------------------------------------------
    # stale news/notice/policy columns that fail (official: >= 5)
    "MONITOR_COLUMNS_STALE_MAX": 5,
    # stale columns of any type that has a limit that fail (official: >= 10)
    "MONITOR_COLUMNS_STALE_ANY_MAX": 10,
    # blank columns that fail (official: >= 5)
    "MONITOR_COLUMNS_BLANK_MAX": 5,
    # column types counted against MONITOR_COLUMNS_STALE_MAX (动态/要闻, 通知公告, 政策文件)
    "MONITOR_COLUMNS_KEY_TYPES": ("news", "notice", "policy", "动态", "工作动态", "要闻",
                                  "通知公告", "政策文件", "政府文件"),
    # update limit in days by column type, used when a column carries no max_age_days of its own
    "MONITOR_COLUMN_MAX_AGE_DAYS": {
        "news": 14, "notice": 183, "policy": 183, "personnel": 365, "plan": 365,
        "leadership": 365, "organization": 365, "finance": 365, "statistics": 365,
        "disclosure": 365,
    },
    # -- reposts_24h: 国务院重要政策信息 24 小时内转载 ---------------------------------------------------
    # days of State Council releases the repost rule looks back over
    "MONITOR_REPOSTS_WINDOW_DAYS": 30,
    # -- regressions --------------------------------------------------------------------------------
    # consecutive failed crawls before a reachability regression counts
    "MONITOR_REGRESSION_CONSECUTIVE_REACHABLE": 2,
    # consecutive failed crawls before a content regression counts
    "MONITOR_REGRESSION_CONSECUTIVE_CONTENT": 1,
}
