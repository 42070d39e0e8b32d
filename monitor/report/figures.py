"""The spot-check notice's figures, computed once from plain data (no SQL, no rendering).

Definitions (README.md, "The spot-check report", says the same for readers):

- a portal's verdict on a rule in a period is the newest *known* verdict (ok, warn or fail) among
  the finished portal crawls whose clock falls in the period; unknown when every crawl of the
  period left it unknown (homepage not fetched, too few probe visits, no release in the window…) or
  the portal was not crawled at all;
- the population is the registry's running portals (status ``active``) in scope; "checked" are
  those with a known overall verdict; the qualified share is 合格 / (合格 + 不合格), and every
  other share is passed / (passed + failed) of that rule: unknowns are counted apart, never as 0,
  and a share with nothing known is unknown;
- a change is in percentage points against the previous period (previous quarter, or the span of
  the same length just before), unknown when either side is.

Every renderer (HTML, Markdown, XLSX) and the tests read these objects, so a figure is defined here
and only here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.report.labels import (LEVEL_ORDER, level_name, percent, points, region_name,
                                   region_order, rule_label)
from monitor.report.periods import Period


@dataclass(frozen=True, slots=True)
class PortalInfo:
    id: str
    name: str
    region: str
    level: str
    status: str = "active"
    url: str = ""

    @property
    def running(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Judged:
    """A portal's newest known verdict on one rule in a period."""

    passed: bool
    level: str = ""
    value: Any = None
    crawl_id: str | None = None
    at: datetime | None = None


@dataclass(slots=True)
class PeriodVerdicts:
    """What the store says about one period."""

    period: Period
    verdicts: dict[str, dict[str, Judged]] = field(default_factory=dict)  # portal -> rule -> verdict
    crawled: set[str] = field(default_factory=set)  # portals with a crawl in the period
    crawls: int = 0

    def get(self, portal_id: str, rule: str) -> Judged | None:
        return self.verdicts.get(portal_id, {}).get(rule)


@dataclass(frozen=True, slots=True)
class Share:
    """Passed / (passed + failed); unknowns apart."""

    passed: int = 0
    failed: int = 0
    unknown: int = 0

    @property
    def known(self) -> int:
        return self.passed + self.failed

    @property
    def total(self) -> int:
        return self.known + self.unknown

    @property
    def value(self) -> float | None:
        return self.passed / self.known if self.known else None

    @property
    def text(self) -> str:
        return percent(self.value)

    def below(self, line: float) -> bool:
        return self.value is not None and self.value < line


def share_of(portals: Iterable[str], verdicts: PeriodVerdicts, rule: str) -> Share:
    passed = failed = unknown = 0
    for pid in portals:
        judged = verdicts.get(pid, rule)
        if judged is None:
            unknown += 1
        elif judged.passed:
            passed += 1
        else:
            failed += 1
    return Share(passed, failed, unknown)


def change(current: Share, previous: Share | None) -> float | None:
    """Percentage points from ``previous`` to ``current``; None when either is unknown."""
    if previous is None or current.value is None or previous.value is None:
        return None
    return (current.value - previous.value) * 100


@dataclass(frozen=True, slots=True)
class Figure:
    """One headline figure: a share (or a count) now and in the previous period."""

    key: str
    label: str
    share: Share | None = None
    previous: Share | None = None
    count: int | None = None
    note: str = ""

    @property
    def value(self) -> float | int | None:
        return self.count if self.share is None else self.share.value

    @property
    def text(self) -> str:
        return str(self.count) if self.share is None else self.share.text

    @property
    def change(self) -> float | None:
        return None if self.share is None else change(self.share, self.previous)

    @property
    def change_text(self) -> str:
        return "" if self.share is None or self.previous is None else points(self.change)

    @property
    def previous_text(self) -> str:
        return "" if self.share is None or self.previous is None else self.previous.text


@dataclass(slots=True)
class GroupRow:
    """A region or a level: its running portals, overall and per-rule shares, the change."""

    key: str
    label: str
    portals: int
    crawled: int
    overall: Share
    previous: Share
    rules: dict[str, Share]
    below: list[str] = field(default_factory=list)  # rules whose share is under the line

    @property
    def change(self) -> float | None:
        return change(self.overall, self.previous)

    @property
    def change_text(self) -> str:
        return points(self.change)


def group_rows(groups: Mapping[str, list[str]], labels: Mapping[str, str], current: PeriodVerdicts,
               previous: PeriodVerdicts, rules: list[str], line: float) -> list[GroupRow]:
    out = []
    for key, members in groups.items():
        row = GroupRow(
            key=key, label=labels.get(key, key), portals=len(members),
            crawled=sum(1 for pid in members if pid in current.crawled),
            overall=share_of(members, current, "overall"), previous=share_of(members, previous, "overall"),
            rules={rule: share_of(members, current, rule) for rule in rules})
        row.below = [rule for rule in rules if row.rules[rule].below(line)]
        out.append(row)
    return out


def by_region(portals: Iterable[PortalInfo]) -> dict[str, list[str]]:
    """Portal ids by region, regions in the notice's order (北京, 天津, 河北 … 国务院部门)."""
    groups: dict[str, list[str]] = {}
    for p in sorted(portals, key=lambda p: (region_order(p.region), p.id)):
        groups.setdefault(p.region, []).append(p.id)
    return groups


def by_level(portals: Iterable[PortalInfo]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    order = {level: i for i, level in enumerate(LEVEL_ORDER)}
    for p in sorted(portals, key=lambda p: (order.get(p.level, 99), p.level, p.id)):
        groups.setdefault(p.level, []).append(p.id)
    return groups


def headline(population: list[PortalInfo], current: PeriodVerdicts, previous: PeriodVerdicts,
             rules: list[str], veto: set[str]) -> list[Figure]:
    """The notice's opening paragraph: how many were checked, the qualified share overall, for
    departments and for local sites, then every rule that is not a single veto (policy column,
    error-report entry, reposts, message closure …)."""
    ids = [p.id for p in population]
    departments = [p.id for p in population if p.level == "department"]
    local = [p.id for p in population if p.level != "department"]
    overall = share_of(ids, current, "overall")
    figures = [
        Figure("portals", "在运行网站", count=len(ids)),
        Figure("checked", "监测有结论网站", count=overall.known,
               note=f"另有{overall.unknown}个结论未知" if overall.unknown else ""),
        Figure("qualified", "总体合格率", overall, share_of(ids, previous, "overall")),
        Figure("qualified_department", "国务院部门合格率", share_of(departments, current, "overall"),
               share_of(departments, previous, "overall")),
        Figure("qualified_local", "地方网站合格率", share_of(local, current, "overall"),
               share_of(local, previous, "overall")),
    ]
    for rule in rules:
        if rule not in veto:
            figures.append(Figure(f"rule:{rule}", rule_label(rule), share_of(ids, current, rule),
                                  share_of(ids, previous, rule)))
    return figures


@dataclass(slots=True)
class TrendPoint:
    period: Period
    crawls: int
    shares: dict[str, Share]  # "overall" and every rule


def trend(population: list[PortalInfo], history: list[PeriodVerdicts], rules: list[str]) -> list[TrendPoint]:
    ids = [p.id for p in population]
    return [TrendPoint(pv.period, pv.crawls, {rule: share_of(ids, pv, rule) for rule in ["overall", *rules]})
            for pv in history]


def region_labels(keys: Iterable[str]) -> dict[str, str]:
    return {k: region_name(k) for k in keys}


def level_labels(keys: Iterable[str]) -> dict[str, str]:
    return {k: level_name(k) for k in keys}


def regions_below(rows: list[GroupRow], rules: list[str]) -> dict[str, list[GroupRow]]:
    """rule -> the regions whose share of it is under the line, lowest first."""
    out = {}
    for rule in rules:
        under = sorted((r for r in rows if rule in r.below), key=lambda r: (r.rules[rule].value, r.key))
        if under:
            out[rule] = under
    return out
