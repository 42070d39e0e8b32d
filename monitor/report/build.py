"""Building the report: read the period's rows through ``monitor.store.report``, find the
regressions, and hand plain data to ``monitor.report.figures`` and ``monitor.report.sections``."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from monitor.clock import local_date
from monitor.config import MonitorSettings
from monitor.regressions import VerdictRecord, default_consecutive, find_regressions
from monitor.report import figures as fg
from monitor.report import sections as sc
from monitor.report.labels import level_name, region_name
from monitor.report.periods import Period
from monitor.rules import RULES
from monitor.store import report as q
from monitor.store.states import baselines_in_force, crawl_now, stored_fetches


@dataclass(frozen=True)
class ReportOptions:
    period: Period
    regions: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    sample: frozenset[str] | None = None  # portal ids of a review sample
    sample_name: str = ""
    line: float | None = None  # None: MONITOR_REPORT_LINE
    evidence_dir: Path | None = None  # save failing homepages here and link them
    output: Path | None = None  # the report file (evidence links are relative to its folder)


@dataclass
class Report:
    title: str
    scope: str
    period: Period
    previous: Period
    generated_at: datetime
    line: float
    rules: list[str]
    veto: set[str]
    crawls: int
    headline: list[fg.Figure]
    regions: list[fg.GroupRow]
    levels: list[fg.GroupRow]
    below: dict[str, list[fg.GroupRow]]
    trend: list[fg.TrendPoint]
    neglect: list[sc.NeglectRow]
    rectification: sc.Rectification
    reviews: sc.Reviews
    annex: list[sc.AnnexRow]
    methodology: list[sc.MethodRule]
    settings: list[tuple[str, str]] = field(default_factory=list)

    def figure(self, key: str) -> fg.Figure:
        return next(f for f in self.headline if f.key == key)

    @property
    def national(self) -> fg.Share:
        return self.figure("qualified").share


@dataclass(frozen=True)
class _Crawl:
    id: str
    at: datetime
    finished: str


def _crawls(store) -> list[_Crawl]:
    """Finished portal crawls, newest first by their clock."""
    crawls = [_Crawl(r["id"], crawl_now(r), r["finished"] or "") for r in q.finished_portal_crawls(store)]
    return sorted(crawls, key=lambda c: (c.at, c.finished), reverse=True)


def _period_verdicts(store, crawls: list[_Crawl], period: Period, portal_ids: list[str],
                     rules: list[str]) -> fg.PeriodVerdicts:
    inside = [c.id for c in crawls if period.contains(c.at)]
    pairs = [(pid, rule) for pid in portal_ids for rule in ["overall", *rules]]
    found = q.newest_known(store, inside, pairs)
    verdicts: dict[str, dict[str, fg.Judged]] = defaultdict(dict)
    for (pid, rule), r in found.items():
        verdicts[pid][rule] = fg.Judged(bool(r["passed"]), r["level"] or "", r["value"], r["crawl_id"],
                                        sc.as_datetime(r["at"]))
    return fg.PeriodVerdicts(period, dict(verdicts), q.crawled_portals(store, inside), len(inside))


def _scope(store, options: ReportOptions) -> list[fg.PortalInfo]:
    portals = [fg.PortalInfo(r["id"], r["name"] or "", r["region"] or "", r["level"] or "",
                             r["status"] or "active", r["url"] or "") for r in q.registry_rows(store)]
    if options.regions:
        portals = [p for p in portals if p.region in options.regions]
    if options.levels:
        portals = [p for p in portals if p.level in options.levels]
    if options.sample is not None:
        portals = [p for p in portals if p.id in options.sample]
    return portals


def build_report(store, options: ReportOptions, settings: MonitorSettings | None = None,
                 now: datetime | None = None) -> Report:
    settings = settings or MonitorSettings.load()
    period = options.period
    line = settings.report_line if options.line is None else options.line
    crawls = _crawls(store)
    now = now or (crawls[0].at if crawls else period.end)
    scope = _scope(store, options)
    info = {p.id: p for p in scope}
    population = [p for p in scope if p.running]
    newest_here = next((c for c in crawls if period.contains(c.at)), None)
    extra = sorted(set(q.rules_of_crawl(store, newest_here.id)) - set(RULES)) if newest_here else []
    rules = [r for r in RULES if r != "overall"] + extra
    veto = {r for r in rules if getattr(RULES.get(r), "veto", False)}

    periods = period.history(max(2, settings.report_trend_periods))
    history = [_period_verdicts(store, crawls, p, list(info), rules) for p in periods]
    current, previous = history[-1], history[-2]

    # 应付差事: what passed at the baseline and fails at the period's end (only pairs failing now
    # can be regressions, so only their history is read)
    before_end = [c.id for c in crawls if c.at < period.end]
    failing_pairs = {(pid, rule) for pid, per in current.verdicts.items() for rule, j in per.items()
                     if not j.passed and rule != "overall" and info.get(pid) and info[pid].running}
    rows = q.verdict_rows_of(store, before_end, failing_pairs)
    records = [VerdictRecord(r["portal_id"], r["crawl_id"], r["at"], r["rule"], r["passed"], r["level"],
                             r["value"], r["evidence"]) for r in rows]
    baselines = {pid: cid for pid, cid in baselines_in_force(store).items() if pid in info}
    found = find_regressions(records, baselines, min(now, period.end), consecutive=default_consecutive(settings),
                             portals={pid: {"name": p.name, "region": p.region, "status": p.status}
                                      for pid, p in info.items()})

    audits = _audits(store, period, info, before_end)
    evidence = _evidence(store, population, current, rules)
    files = _save_evidence(store, population, current, options) if options.evidence_dir else {}
    rectification = sc.rectification(scope, current, previous, rules)
    region_rows = fg.group_rows(fg.by_region(population), fg.region_labels(p.region for p in population),
                                current, previous, rules, line)
    level_rows = fg.group_rows(fg.by_level(population), fg.level_labels(p.level for p in population),
                               current, previous, rules, line)
    return Report(
        title=settings.report_title, scope=_scope_text(options), period=period, previous=previous.period,
        generated_at=now, line=line, rules=rules, veto=veto, crawls=current.crawls,
        headline=fg.headline(population, current, previous, rules, veto) + [
            fg.Figure("neglect", "监测期内退化（应付差事）", count=len(found)),
            fg.Figure("rectified", "上期不合格已整改或关停迁移", rectification.share)],
        regions=region_rows, levels=level_rows, below=fg.regions_below(region_rows, rules),
        trend=fg.trend(population, history, rules),
        neglect=sc.neglect(found, info),
        rectification=rectification,
        reviews=sc.reviews(audits, info),
        annex=sc.annex(population, current, rules, evidence,
                       {a.portal_id: a.passed for a in audits}, files),
        methodology=sc.methodology(settings, rules),
        settings=[(name, sc._setting_text(settings.get(name))) for name in (
            "MONITOR_REPORT_LINE", "MONITOR_REPORT_TREND_PERIODS", "MONITOR_REGRESSION_CONSECUTIVE_REACHABLE",
            "MONITOR_REGRESSION_CONSECUTIVE_CONTENT")],
    )


def _scope_text(options: ReportOptions) -> str:
    parts = []
    if options.regions:
        parts.append("、".join(region_name(r) for r in options.regions))
    if options.levels:
        parts.append("、".join(level_name(level) for level in options.levels))
    if options.sample is not None:
        parts.append(f"抽查样本 {options.sample_name}（{len(options.sample)}个网站）".replace(" （", "（"))
    return "；".join(parts) or "全部网站"


def _audits(store, period: Period, info, crawl_ids: list[str]) -> list[sc.AuditInput]:
    rows = [r for r in q.audit_rows(store, period.since.isoformat(), period.until.isoformat())
            if r["portal_id"] in info]
    history: dict[str, list[dict]] = defaultdict(list)
    for r in q.verdict_rows_of(store, crawl_ids, {(r["portal_id"], "overall") for r in rows}):
        if r["passed"] is not None:
            history[r["portal_id"]].append(r)
    out = []
    for r in rows:
        day = datetime.fromisoformat(r["audited_on"]).date()
        known = sorted(history.get(r["portal_id"], []), key=lambda v: v["at"])
        before = [v for v in known if local_date(sc.as_datetime(v["at"])) <= day]
        nearest = before[-1] if before else (known[0] if known else None)
        monitor = None if nearest is None else fg.Judged(
            bool(nearest["passed"]), nearest["level"] or "", nearest["value"], nearest["crawl_id"],
            sc.as_datetime(nearest["at"]))
        out.append(sc.AuditInput(r["portal_id"], day, r["verdict"] == "pass", r.get("source") or "",
                                 r.get("reviewer") or "", r.get("note") or "", monitor,
                                 sc.failed_rules(nearest["evidence"]) if nearest else ()))
    return out


def _evidence(store, population, current: fg.PeriodVerdicts, rules) -> dict[tuple[str, str], dict]:
    """The evidence of every failing verdict of the failing portals, read crawl by crawl."""
    by_crawl: dict[str, set] = defaultdict(set)
    for p in population:
        overall = current.get(p.id, "overall")
        if overall is None or overall.passed:
            continue
        for rule in rules:
            j = current.get(p.id, rule)
            if j is not None and not j.passed and j.crawl_id:
                by_crawl[j.crawl_id].add((p.id, rule))
    out = {}
    for crawl_id, pairs in by_crawl.items():
        for r in q.verdict_rows_of(store, [crawl_id], pairs):
            out[(r["portal_id"], r["rule"])] = r["evidence"]
    return out


def _save_evidence(store, population, current: fg.PeriodVerdicts, options: ReportOptions) -> dict[str, str]:
    """Save each failing portal's stored homepage (of the crawl of its overall verdict) under
    ``evidence_dir``; return portal -> path relative to the report's folder."""
    folder = Path(options.evidence_dir)
    folder.mkdir(parents=True, exist_ok=True)
    base = Path(options.output).resolve().parent if options.output else Path.cwd()
    out = {}
    for p in population:
        overall = current.get(p.id, "overall")
        if overall is None or overall.passed or not overall.crawl_id:
            continue
        fetch = next((f for f in stored_fetches(store, overall.crawl_id, p.id) if f["body_hash"]), None)
        body = store.body(fetch["body_hash"]) if fetch else None
        if body is None:
            continue
        path = folder / (re.sub(r"[^A-Za-z0-9-]", "_", f"{p.id}-{overall.crawl_id[:8]}") + ".html")
        path.write_bytes(body)
        out[p.id] = Path(os.path.relpath(path.resolve(), base)).as_posix()
    return out
