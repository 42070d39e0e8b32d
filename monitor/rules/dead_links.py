"""链接可用性: dead links on the homepage and first-level pages."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from monitor.rules.base import Rule, fail, ok, unknown, warn

MAX_LISTED = 50


class DeadLinks(Rule):
    """Links of the homepage and first-level pages that are dead: HTTP 404/410, a host that does not
    resolve, a refused connection or a timeout. Warns from one dead link, fails from five.
    """

    id = "dead_links"
    indicator = "国办秘函〔2019〕19号 扣分指标: 可用性—链接可用性 (首页及其他页面不可用链接)"
    veto = False
    settings = {"MONITOR_DEAD_LINKS_WARN": "warn_count", "MONITOR_DEAD_LINKS_FAIL": "fail_count",
                "MONITOR_DEAD_LINKS_STATUSES": "statuses", "MONITOR_DEAD_LINKS_ERRORS": "errors"}

    def is_dead(self, check) -> str | None:
        """The reason a checked link is dead (``http_404``, ``dns`` …), or None."""
        if check.status is not None and str(check.status) in self.statuses:
            return f"http_{check.status}"
        if check.error and check.error in self.errors:
            return check.error
        return None

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if state.link_checks is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        # listed by URL: the checks answer in any order, the evidence must not depend on it
        dead = sorted(((c, reason) for c in state.link_checks if (reason := self.is_dead(c))),
                      key=lambda d: (d[0].url, d[1]))
        evidence = {"checked": len(state.link_checks), "dead": len(dead),
                    "by_reason": dict(Counter(reason for _, reason in dead).most_common()),
                    "thresholds": {"warn": self.warn_count, "fail": self.fail_count},
                    "dead_links": [{"url": c.url, "reason": reason, "status": c.status, "error": c.error,
                                    "text": c.text, "source": c.source} for c, reason in dead[:MAX_LISTED]],
                    "crawl_id": state.crawl_id}
        if not state.link_checks:
            return unknown(self.id, None, reason="no_links_checked", **evidence)
        if len(dead) >= self.fail_count:
            return fail(self.id, len(dead), **evidence)
        if len(dead) >= self.warn_count:
            return warn(self.id, len(dead), **evidence)
        return ok(self.id, 0, **evidence)
