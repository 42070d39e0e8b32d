"""合格/不合格: the portal's overall verdict from the single-veto rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitor.rules.base import Rule, Verdict, unknown

PASS, FAIL = "合格", "不合格"


class Overall(Rule):
    """不合格 when any single-veto rule fails (reachable, homepage_fresh, columns_fresh, interaction,
    privacy, harmful_content, forged_dates); unknown when none fails but reachable, homepage_fresh or
    columns_fresh is unknown; 合格 otherwise (a warning on a veto rule is still 合格). The veto rules
    that look for something bad (an unanswered message, a leak, injected content, re-dated lists)
    are unknown only for want of data — no message board, a crawl from before they existed, a
    single crawl — and such an unknown is listed as ``unjudged``, not held against the portal.
    """

    id = "overall"
    indicator = "国办秘函〔2019〕19号 单项否决指标: 任一项不达标即为不合格"
    veto = False
    content = False
    settings = {}

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        """``rules``: the single-veto rules, built by ``monitor.rules.build_rules``."""
        self.rules = list(rules)

    def judge(self, state, now: datetime) -> Verdict:
        if state.status == "closed":
            return unknown(self.id, reason="closed")
        return self.combine(rule.judge(state, now) for rule in self.rules)

    def combine(self, verdicts: Iterable[Verdict]) -> Verdict:
        """The overall verdict from the veto rules' verdicts (other rules are ignored)."""
        veto_ids = {rule.id for rule in self.rules}
        blocking = {rule.id for rule in self.rules if rule.unknown_blocks}
        veto = [v for v in verdicts if v.rule in veto_ids]
        failed = [v.rule for v in veto if v.passed is False]
        unknowns = [v.rule for v in veto if v.passed is None and v.rule in blocking]
        unjudged = [v.rule for v in veto if v.passed is None and v.rule not in blocking]
        warned = [v.rule for v in veto if v.passed and v.level == "warn"]
        evidence = {"failed": failed, "unknown": unknowns, "warn": warned,
                    "rules": [v.rule for v in veto]}
        if unjudged:
            evidence["unjudged"] = unjudged
        missing = blocking - {v.rule for v in veto}
        if missing:
            unknowns.extend(sorted(missing))
        if failed:
            return Verdict(self.id, False, "fail", FAIL, evidence)
        if unknowns:
            return Verdict(self.id, None, "unknown", None, evidence)
        return Verdict(self.id, True, "warn" if warned else "ok", PASS, evidence)
