"""我为政府网站找错: the error-report entry on the homepage, with the registered site code."""

from __future__ import annotations

from datetime import datetime

from monitor.extract.errorlink import normalize_code
from monitor.rules.base import Rule, fail, ok, unknown, warn


class ErrorLinkPresent(Rule):
    """The homepage carries no "我为政府网站找错" error-report entry, or the entry's site code (网站标识码)
    differs from the registry's. The evidence says which failed (missing / site_code_mismatch).
    When either code is unknown the entry passes; it warns when the registry knows the code but the
    page's code could not be read.
    """

    id = "error_link"
    indicator = "全国政府网站抽查情况通报: 首页设置“我为政府网站找错”入口 (网站标识码与普查登记一致)"
    veto = False
    settings = {}

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        link = state.error_link
        if link is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        found_code = normalize_code(link.site_code)
        registry_code = normalize_code(state.registry_site_code)
        evidence = {"url": link.url, "variant": link.variant,
                    "site_code": link.site_code, "registry_site_code": state.registry_site_code,
                    "homepage": state.homepage_url, "crawl_id": state.crawl_id}
        if not link.found:
            return fail(self.id, "missing", failed="missing", **evidence)
        if found_code and registry_code:
            if found_code != registry_code:
                return fail(self.id, "site_code_mismatch", failed="site_code_mismatch", **evidence)
            return ok(self.id, "present", site_code_check="match", **evidence)
        if registry_code:
            return warn(self.id, "present", site_code_check="unreadable", **evidence)
        return ok(self.id, "present", site_code_check="registry_unknown", **evidence)
