"""The notice's later sections, from plain data: post-audit neglect (应付差事), rectification of the
previous period's failures (整改), reported or reviewed results the monitor contradicts, the annex of
failing sites and the methodology. Pure, like ``monitor.report.figures``."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from monitor.clock import local_date
from monitor.config import MonitorSettings
from monitor.regressions import Regression
from monitor.report.figures import Judged, PeriodVerdicts, PortalInfo, Share
from monitor.report.labels import region_order, rule_label, verdict_text
from monitor.rules import RULES


def http_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) URL (the only crawled URLs the report may link or
    quote), else None."""
    if not isinstance(url, str) or any(c in url for c in "\r\n\t"):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def evidence_url(evidence: Mapping | None) -> str | None:
    """The stored page behind a verdict: its ``url`` (or ``homepage``), or a failing rule's first
    listed column; only http(s)."""
    evidence = evidence or {}
    for key in ("stale_columns", "blank_columns"):
        for column in evidence.get(key) or []:
            if isinstance(column, Mapping) and http_url(column.get("url")):
                return http_url(column.get("url"))
    return http_url(evidence.get("url")) or http_url(evidence.get("homepage"))


def evidence_command(portal_id: str, crawl_id: str | None, url: str | None = None) -> str:
    """The ``monitor evidence`` command that saves the stored page (shell-quoted: URLs are crawled)."""
    parts = ["monitor", "evidence", portal_id]
    if crawl_id:
        parts += ["--crawl", crawl_id]
    if url:
        parts += ["--url", url]
    parts += ["-o", f"{portal_id}.html"]
    return " ".join(shlex.quote(p) for p in parts)


# -- 应付差事: regressions since the baseline ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NeglectRow:
    portal: PortalInfo
    rule: str
    baseline_on: date | None
    began_on: date
    days: int
    value: Any
    baseline_kind: str
    crawl_id: str | None
    command: str

    @property
    def rule_label(self) -> str:
        return rule_label(self.rule)


def neglect(regressions: Iterable[Regression], info: Mapping[str, PortalInfo]) -> list[NeglectRow]:
    rows = []
    for r in regressions:
        portal = info.get(r.portal_id)
        if portal is None:
            continue
        rows.append(NeglectRow(portal, r.check, local_date(r.baseline_at), local_date(r.first_failed_at),
                               r.days_failing, r.current_value, r.baseline_kind, r.current_crawl_id,
                               evidence_command(r.portal_id, r.current_crawl_id, evidence_url(r.evidence))))
    return sorted(rows, key=lambda r: (r.began_on, region_order(r.portal.region), r.portal.id, r.rule))


# -- 整改: the previous period's failures, now ---------------------------------------------------

OUTCOMES = {"rectified": "已整改", "closed": "已关停或迁移", "failing": "整改后仍未达标", "unknown": "结论未知"}


@dataclass(frozen=True, slots=True)
class RectificationRow:
    portal: PortalInfo
    outcome: str  # rectified, closed, failing, unknown
    failing: tuple[str, ...]  # rules failing now

    @property
    def outcome_text(self) -> str:
        return OUTCOMES[self.outcome]


@dataclass(slots=True)
class Rectification:
    rows: list[RectificationRow]
    counts: dict[str, int]
    #: (rectified + closed) / (rectified + closed + failing): the notice's "已完成整改或关停上移"
    share: Share


def rectification(scope: Iterable[PortalInfo], current: PeriodVerdicts, previous: PeriodVerdicts,
                  rules: list[str]) -> Rectification:
    rows = []
    for p in scope:
        before = previous.get(p.id, "overall")
        if before is None or before.passed:
            continue
        now = current.get(p.id, "overall")
        failing = tuple(r for r in rules if (j := current.get(p.id, r)) is not None and not j.passed)
        if p.status in ("closed", "migrated"):
            outcome = "closed"
        elif now is None:
            outcome = "unknown"
        else:
            outcome = "rectified" if now.passed else "failing"
        rows.append(RectificationRow(p, outcome, failing))
    counts = {k: sum(1 for r in rows if r.outcome == k) for k in OUTCOMES}
    share = Share(counts["rectified"] + counts["closed"], counts["failing"], counts["unknown"])
    order = {"failing": 0, "unknown": 1, "closed": 2, "rectified": 3}  # what needs action first
    rows.sort(key=lambda r: (order[r.outcome], region_order(r.portal.region), r.portal.id))
    return Rectification(rows, counts, share)


# -- 上报/复核结论与监测结论比对 -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditInput:
    """An imported result (``monitor audits import``) with the monitor's verdict nearest its day."""

    portal_id: str
    audited_on: date
    passed: bool
    source: str = ""
    reviewer: str = ""
    note: str = ""
    monitor: Judged | None = None
    monitor_failed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewRow:
    portal: PortalInfo
    audit: AuditInput

    @property
    def agree(self) -> bool | None:
        return None if self.audit.monitor is None else self.audit.monitor.passed == self.audit.passed

    @property
    def official_text(self) -> str:
        return verdict_text(self.audit.passed)

    @property
    def monitor_text(self) -> str:
        return verdict_text(None if self.audit.monitor is None else self.audit.monitor.passed)

    @property
    def monitor_on(self) -> date | None:
        return None if self.audit.monitor is None else local_date(self.audit.monitor.at)


@dataclass(slots=True)
class Reviews:
    rows: list[ReviewRow]  # disagreements first
    agree: int
    disagree: int
    unknown: int


def reviews(audits: Iterable[AuditInput], info: Mapping[str, PortalInfo]) -> Reviews:
    rows = [ReviewRow(info[a.portal_id], a) for a in audits if a.portal_id in info]
    rank = {False: 0, None: 1, True: 2}
    rows.sort(key=lambda r: (rank[r.agree], region_order(r.portal.region), r.portal.id, r.audit.audited_on))
    return Reviews(rows, sum(r.agree is True for r in rows), sum(r.agree is False for r in rows),
                   sum(r.agree is None for r in rows))


# -- 附件: every failing site ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failure:
    rule: str
    value: Any
    on: date | None
    command: str

    @property
    def rule_label(self) -> str:
        return rule_label(self.rule)


@dataclass(frozen=True, slots=True)
class AnnexRow:
    portal: PortalInfo
    failures: tuple[Failure, ...]
    audit: str = ""  # the imported official/review verdict of the period, if any
    evidence_file: str | None = None  # relative path of the saved homepage, with --evidence-dir


def annex(population: Iterable[PortalInfo], current: PeriodVerdicts, rules: list[str],
          evidence: Mapping[tuple[str, str], Mapping], audits: Mapping[str, bool],
          files: Mapping[str, str] | None = None) -> list[AnnexRow]:
    """Every 不合格 portal with each rule it fails, the day of that verdict and the command that
    saves the stored page behind it (``evidence``: (portal, rule) -> the verdict's evidence)."""
    out = []
    for p in population:
        overall = current.get(p.id, "overall")
        if overall is None or overall.passed:
            continue
        failures = []
        for rule in rules:
            j = current.get(p.id, rule)
            if j is None or j.passed:
                continue
            url = evidence_url(evidence.get((p.id, rule)))
            failures.append(Failure(rule, j.value, local_date(j.at), evidence_command(p.id, j.crawl_id, url)))
        audit = audits.get(p.id)
        out.append(AnnexRow(p, tuple(failures), "" if audit is None else verdict_text(audit),
                            (files or {}).get(p.id)))
    return sorted(out, key=lambda r: (region_order(r.portal.region), r.portal.level, r.portal.id))


# -- 方法 ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MethodRule:
    id: str
    label: str
    veto: bool
    description: str
    indicator: str
    thresholds: tuple[tuple[str, str], ...]


def methodology(settings: MonitorSettings, rules: list[str]) -> list[MethodRule]:
    """Each rule reported (those of ``monitor.rules.RULES`` first), its official indicator, its
    description and the ``MONITOR_*`` thresholds in force."""
    out = []
    for rule_id in ["overall", *rules]:
        cls = RULES.get(rule_id)
        if cls is None:
            out.append(MethodRule(rule_id, rule_label(rule_id), False, "（本版本未定义此规则，沿用库中结论）", "", ()))
            continue
        thresholds = tuple((name, _setting_text(settings.get(name))) for name in cls.settings)
        out.append(MethodRule(rule_id, rule_label(rule_id), bool(cls.veto), cls.description(),
                              cls.indicator, thresholds))
    return out


def _setting_text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def failed_rules(evidence: Mapping | None) -> tuple[str, ...]:
    """The veto rules an overall verdict failed on (its evidence's ``failed``)."""
    failed = (evidence or {}).get("failed") or []
    return tuple(str(r) for r in failed if isinstance(r, str))


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
