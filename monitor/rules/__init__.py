"""The official rules, one small declarative class per module, and ``judge_all`` over a portal.

``RULES`` maps each rule id to its class (in report order); ``VETO_RULES`` are the single-veto
items (单项否决) that decide the overall 合格/不合格. Everything here is pure: plain data in
(``monitor.rules.state``), ``Verdict`` out, ``now`` passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from monitor.config import MonitorSettings
from monitor.rules.base import Rule, Verdict
from monitor.rules.columns_fresh import ColumnsFresh
from monitor.rules.copied_guides import CopiedGuides
from monitor.rules.dead_links import DeadLinks
from monitor.rules.error_link import ErrorLinkPresent
from monitor.rules.forged_dates import ForgedDates
from monitor.rules.harmful_content import HarmfulContent
from monitor.rules.homepage_fresh import HomepageFresh
from monitor.rules.interaction import Interaction, closure_rates
from monitor.rules.overall import FAIL, PASS, Overall
from monitor.rules.policy_column import PolicyColumnPresent
from monitor.rules.privacy import PrivacyLeaks
from monitor.rules.reachable import Reachable
from monitor.rules.reposts_24h import Reposts24h
from monitor.rules.state import BoardState, ColumnState, LinkCheck, PortalState, Visit

RULES: dict[str, type[Rule]] = {
    cls.id: cls
    for cls in (Reachable, HomepageFresh, ColumnsFresh, PolicyColumnPresent, ErrorLinkPresent, Reposts24h,
                Interaction, PrivacyLeaks, HarmfulContent, ForgedDates, CopiedGuides, DeadLinks, Overall)
}
VETO_RULES: tuple[str, ...] = tuple(rule_id for rule_id, cls in RULES.items() if cls.veto)

__all__ = [
    "RULES", "VETO_RULES", "PASS", "FAIL", "Rule", "Verdict", "Visit", "ColumnState", "PortalState",
    "BoardState", "LinkCheck", "build_rules", "judge_all", "national_repost_share", "closure_rates",
]


def build_rules(settings: MonitorSettings | Mapping | Any | None = None) -> dict[str, Rule]:
    """Every rule built from ``settings`` (a ``MonitorSettings``; None: the defaults), by id, in
    report order; ``overall`` combines the single-veto rules."""
    if not isinstance(settings, MonitorSettings):
        settings = MonitorSettings.load(settings, environ={})
    rules = {rule_id: cls.from_settings(settings) for rule_id, cls in RULES.items() if cls is not Overall}
    rules["overall"] = Overall([rules[rule_id] for rule_id in VETO_RULES])
    return rules


def judge_all(state: PortalState, now: datetime, settings: Mapping | Any | None = None,
              rules: Mapping[str, Rule] | None = None) -> list[Verdict]:
    """A verdict per rule for one portal at one crawl, the overall one last. Closed portals: none.

    Pass ``rules`` (from ``build_rules``) to judge many portals without re-reading the settings.
    """
    if state.status == "closed":
        return []
    rules = rules if rules is not None else build_rules(settings)
    verdicts = [rule.judge(state, now) for rule_id, rule in rules.items() if rule_id != "overall"]
    return verdicts + [rules["overall"].combine(verdicts)]


def national_repost_share(states: Iterable[PortalState], now: datetime | None = None,
                          settings: Mapping | Any | None = None) -> float | None:
    """Share of portals that reposted a State Council release within 24 h (the notice's figure).

    Portals whose repost verdict is unknown (closed, no crawl, no release in the window) are left
    out of both counts; None when no portal can be judged.
    """
    rule = Reposts24h.from_settings(settings)
    now = now or datetime.now()
    judged = [rule.judge(state, now).passed for state in states]
    known = [passed for passed in judged if passed is not None]
    return sum(known) / len(known) if known else None
