"""合格/不合格: the portal's overall verdict from the single-veto rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitor.rules.base import Rule, Verdict, unknown

PASS, FAIL = "合格", "不合格"


class Overall(Rule):
    """不合格 when any single-veto rule (reachable, homepage_fresh, columns_fresh) fails; unknown when
    none fails but one is unknown; 合格 otherwise (a warning on a veto rule is still 合格).
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
        veto = [v for v in verdicts if v.rule in veto_ids]
        failed = [v.rule for v in veto if v.passed is False]
        unknowns = [v.rule for v in veto if v.passed is None]
        warned = [v.rule for v in veto if v.passed and v.level == "warn"]
        evidence = {"failed": failed, "unknown": unknowns, "warn": warned,
                    "rules": [v.rule for v in veto]}
        missing = veto_ids - {v.rule for v in veto}
        if missing:
            unknowns.extend(sorted(missing))
        if failed:
            return Verdict(self.id, False, "fail", FAIL, evidence)
        if unknowns:
            return Verdict(self.id, None, "unknown", None, evidence)
        return Verdict(self.id, True, "warn" if warned else "ok", PASS, evidence)
