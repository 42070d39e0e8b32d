"""有害信息 / 被植入内容: gambling, pornography and spam on the portal, hidden link farms."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from monitor.extract.harmful import failing, page_scores
from monitor.rules.base import Rule, fail, ok, unknown

MAX_LISTED = 20


class HarmfulContent(Rule):
    """The portal carries injected or harmful content: a CSS-hidden block with many outbound links
    (a link farm), an outbound link to a non-government host whose text is a gambling, pornography
    or spam term, or enough listed terms in one page's text (data/harmful_terms.csv). A term beside
    打击/查处/犯罪 (a report about the harm) does not count.
    """

    id = "harmful_content"
    indicator = ("国办秘函〔2019〕19号 单项否决: 严重错误/安全事故 (发布反动、暴力、色情等有害信息; 网站被篡改、"
                 "被植入); 全国政府网站抽查情况通报: 安全防护薄弱导致发布有害信息")
    veto = True
    unknown_blocks = False
    settings = {"MONITOR_HARMFUL_MIN_SCORE": "min_score",
                "MONITOR_HARMFUL_HIDDEN_MIN_LINKS": "hidden_min_links"}

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if state.harmful is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        findings = [f for f in state.harmful
                    if f.kind != "hidden_links" or f.links >= self.hidden_min_links]
        bad = failing(findings, self.min_score)
        scores = page_scores(findings)
        evidence = {"findings": len(findings), "failing": len(bad),
                    "by_kind": dict(Counter(f.kind for f in bad)),
                    "by_category": dict(Counter(f.category for f in bad)),
                    "term_scores": {url: score for url, score in sorted(scores.items())[:MAX_LISTED]},
                    "not_counted": sum(1 for f in findings if f.kind == "term" and not f.counted),
                    "min_score": self.min_score, "hidden_min_links": self.hidden_min_links,
                    "pages": sorted({f.url for f in bad})[:MAX_LISTED], "crawl_id": state.crawl_id,
                    "evidence": [f.to_json() for f in bad[:MAX_LISTED]]}
        if bad:
            return fail(self.id, len(bad), reason="harmful_content", **evidence)
        return ok(self.id, 0, **evidence)
