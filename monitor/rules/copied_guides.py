"""办事指南涉嫌抄袭: service guides copied from another portal, still naming its places."""

from __future__ import annotations

from datetime import datetime

from monitor.rules.base import Rule, fail, ok, unknown

MAX_LISTED = 20


class CopiedGuides(Rule):
    """A service guide (办事指南) of the portal is a near-duplicate of another portal's guide and still
    names that portal's own places or offices (乙县政务服务中心 in 甲县's guide). Guides of one service
    are alike everywhere; only the foreign names make a copy. Pairs come precomputed for all
    portals (monitor.extract.guides.find_copies); the portal fails for the copies it publishes.
    """

    id = "copied_guides"
    indicator = "全国政府网站抽查情况通报: 办事指南照搬照抄其他地区内容 (办事指南涉嫌抄袭)"
    veto = False
    settings = {"MONITOR_GUIDES_MIN_SIMILARITY": "min_similarity",
                "MONITOR_GUIDES_MIN_FOREIGN": "min_foreign"}

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if state.guide_pairs is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        pairs = [p for p in state.guide_pairs
                 if p.similarity >= self.min_similarity and p.mentions >= self.min_foreign]
        copies = [p for p in pairs if p.copy_portal in ("", state.portal_id)]
        copied_by = [p for p in pairs if p.source_portal == state.portal_id and p.copy_portal != state.portal_id]
        evidence = {"copies": len(copies), "copied_by": len(copied_by),
                    "min_similarity": self.min_similarity, "min_foreign": self.min_foreign,
                    "pairs": [p.to_json() for p in copies[:MAX_LISTED]],
                    "copied_by_pairs": [p.to_json() for p in copied_by[:MAX_LISTED]],
                    "crawl_id": state.crawl_id}
        if copies:
            return fail(self.id, len(copies), reason="copied_guides", **evidence)
        return ok(self.id, 0, **evidence)
