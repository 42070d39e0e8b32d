"""国务院重要政策信息专栏: the homepage carries a prominent State Council policy column."""

from __future__ import annotations

from datetime import datetime

from monitor.rules.base import Rule, fail, ok, unknown, warn


class PolicyColumnPresent(Rule):
    """The homepage carries no column for important State Council policy information (国务院信息,
    国务院要闻, 国务院文件 …). Warns when the column is there but not prominent (below the fold).
    """

    id = "policy_column"
    indicator = "全国政府网站抽查情况通报: 首页显著位置设置国务院重要政策信息专栏"
    veto = False
    settings = {}

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        found = state.policy_column
        if found is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        evidence = {"url": found.url, "title": found.title, "items": found.items,
                    "position": found.position, "homepage": state.homepage_url,
                    "crawl_id": state.crawl_id}
        if not found.found:
            return fail(self.id, None, reason="missing", **evidence)
        if found.position == "below":
            return warn(self.id, found.title, reason="not_prominent", **evidence)
        return ok(self.id, found.title, **evidence)
