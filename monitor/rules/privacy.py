"""泄露个人信息: resident ID, mobile and bank card numbers published on the portal."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from monitor.extract.privacy import leaks
from monitor.rules.base import Rule, fail, ok, unknown

MAX_LISTED = 20


class PrivacyLeaks(Rule):
    """The portal's pages or small attachments show citizens' personal numbers: a resident ID
    number (valid division, birth date and check digit), a bank card number (card BIN and Luhn), a
    mobile number not labelled as an office contact, or many mobiles on one page. Evidence is
    masked (410105********1234); office numbers, hotlines, serial numbers and ID-like numbers
    failing the check digit are not leaks.
    """

    id = "privacy"
    indicator = ("国办秘函〔2019〕19号 单项否决: 严重错误/安全泄密事故 (泄露公民个人信息); "
                 "全国政府网站抽查情况通报: 泄露公民个人隐私")
    veto = True
    unknown_blocks = False
    settings = {"MONITOR_PRIVACY_MOBILE_BULK": "mobile_bulk"}

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if state.privacy is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        found = leaks(state.privacy, self.mobile_bulk)
        evidence = {"findings": len(state.privacy), "leaks": len(found),
                    "office_contacts": len(state.privacy) - len(found),
                    "by_kind": dict(Counter(f.kind for f in found)),
                    "pages": sorted({f.url for f in found})[:MAX_LISTED],
                    "mobile_bulk": self.mobile_bulk, "crawl_id": state.crawl_id,
                    "leaked": [f.to_json() for f in found[:MAX_LISTED]]}
        if found:
            return fail(self.id, len(found), reason="personal_data", **evidence)
        return ok(self.id, 0, **evidence)
