"""Regressions against the audit baseline, and failures not rectified by a deadline (pure).

Input is a verdict history (``VerdictRecord``, one per portal, crawl and rule, as the store keeps
them); output is ``Regression`` records whose ``as_row()`` keys are the CLI's columns. Rules:

- unknown (``passed`` None) is never a failure: walking a history, unknown records are skipped, so
  "the current verdict" is the newest *known* one — except an unknown for want of evidence with
  nothing failed (``evidence["none_failed"]``, e.g. three probe visits, all fine), which counts as
  "did not fail": a portal up when the province checked it and offline right after regresses;
- a failure counts once it holds in N consecutive known crawls (``consecutive``; defaults
  ``MONITOR_REGRESSION_CONSECUTIVE_REACHABLE`` 2, ``..._CONTENT`` 1), so one bad probe day or one
  flaky crawl never shows up unless ``include_recovered`` and it met N;
- ``against="baseline"``: the rule did not fail at the portal's baseline crawl (ok, warn, or
  unknown with nothing failed; the row's ``baseline_level`` says which; a portal with no baseline,
  or whose baseline crawl is not in the history, is compared with its first crawl:
  ``baseline_kind="first_crawl"``) and fails now;
- ``against="previous"``: what newly regressed: the current failing run has just reached N crawls
  and the crawl before it passed (``baseline_kind="previous"``); a run reported once is not
  reported again at the next crawl;
- ``overall`` is left out by default (it repeats the veto rule that failed); pass ``checks``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from monitor.rules import RULES
from monitor.clock import aware, local_date
from monitor.config import MonitorSettings

#: the keys of ``Regression.as_row()``, in order (the CLI's columns)
REGRESSION_COLUMNS = (
    "portal_id", "name", "region", "check", "baseline_value", "baseline_level", "baseline_at", "current_value",
    "current_at", "first_failed_at", "days_failing", "evidence", "baseline_kind", "recovered",
)
DEFAULT_CHECKS = tuple(rule_id for rule_id in RULES if rule_id != "overall")


@dataclass(slots=True)
class VerdictRecord:
    """One stored verdict: a rule's judgement of a portal at a crawl."""

    portal_id: str
    crawl_id: str
    at: datetime
    rule: str
    passed: bool | None
    level: str = ""
    value: Any = None
    evidence: dict = field(default_factory=dict)

    def __post_init__(self) -> None:  # tolerate rows straight from SQLite (ISO text, 0/1, JSON)
        if isinstance(self.at, str):
            self.at = datetime.fromisoformat(self.at)
        if self.passed is not None and not isinstance(self.passed, bool):
            self.passed = bool(int(self.passed))
        if isinstance(self.evidence, str):
            self.evidence = json.loads(self.evidence) if self.evidence else {}
        elif self.evidence is None:
            self.evidence = {}

    @classmethod
    def from_verdict(cls, portal_id: str, crawl_id: str, at: datetime, verdict) -> "VerdictRecord":
        return cls(portal_id, crawl_id, at, verdict.rule, verdict.passed, verdict.level,
                   verdict.value, dict(verdict.evidence))


@dataclass(slots=True)
class Regression:
    """A check that failed against its reference (or still fails after a deadline)."""

    portal_id: str
    name: str
    region: str
    check: str
    baseline_value: Any
    baseline_at: datetime | None
    current_value: Any
    current_at: datetime
    first_failed_at: datetime
    days_failing: int
    evidence: dict
    baseline_kind: str  # baseline, first_crawl, previous
    recovered: bool = False
    #: the reference's level: ok, warn, or unknown (too little evidence, nothing failed)
    baseline_level: str | None = None
    baseline_crawl_id: str | None = None
    current_crawl_id: str | None = None  # the crawl whose stored pages back the evidence
    failing_crawls: int = 0  # length of the failing run (known crawls)

    def as_row(self) -> dict:
        return {key: getattr(self, key) for key in REGRESSION_COLUMNS}


def default_consecutive(settings: MonitorSettings | None = None) -> dict[str, int]:
    """N consecutive failed crawls per rule: reachability and content defaults from settings."""
    settings = settings if settings is not None else MonitorSettings()
    reach = settings.regression_consecutive_reachable
    content = settings.regression_consecutive_content
    return {rule_id: (reach if rule_id == "reachable" else content) for rule_id in RULES}


# -- history walking -----------------------------------------------------------------------------


def _key(record: VerdictRecord) -> tuple:
    return (aware(record.at), record.crawl_id)


def _by_portal_and_rule(history: Iterable[VerdictRecord], now: datetime | None):
    """portal -> rule -> records (known and unknown) sorted by time; portal -> crawls in order."""
    limit = aware(now) if now is not None else None
    rules: dict[str, dict[str, list[VerdictRecord]]] = defaultdict(lambda: defaultdict(list))
    crawls: dict[str, dict[str, datetime]] = defaultdict(dict)
    for record in history:
        if limit is not None and aware(record.at) > limit:
            continue
        rules[record.portal_id][record.rule].append(record)
        first = crawls[record.portal_id].get(record.crawl_id)
        if first is None or aware(record.at) < aware(first):
            crawls[record.portal_id][record.crawl_id] = record.at
    for per_rule in rules.values():
        for records in per_rule.values():
            records.sort(key=_key)
    ordered = {pid: sorted(c, key=lambda cid: (aware(c[cid]), cid)) for pid, c in crawls.items()}
    return rules, ordered


def _reference(portal_id, crawl_order, baselines) -> tuple[str | None, str]:
    wanted = (baselines or {}).get(portal_id)
    if wanted is not None and wanted in crawl_order:
        return wanted, "baseline"
    return (crawl_order[0] if crawl_order else None), "first_crawl"


def _judged(record: VerdictRecord) -> bool:
    """Known, or unknown for want of evidence with nothing failed (``none_failed``: e.g. three
    probe visits, all fine). Such a record is not a failure; a check that passed it and fails now
    has regressed, the official rule's worst case: up when checked, offline right after."""
    return record.passed is not None or bool((record.evidence or {}).get("none_failed"))


def _runs(known: list[VerdictRecord]) -> list[tuple[int, int]]:
    """(start, end) index pairs of maximal runs of failures in a list of known records."""
    runs, start = [], None
    for i, record in enumerate(known):
        if record.passed is False and start is None:
            start = i
        elif record.passed is not False and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(known) - 1))
    return runs


def _since_ok(first_failed: datetime, since) -> bool:
    if since is None:
        return True
    if isinstance(since, datetime):
        return aware(first_failed) >= aware(since)
    return local_date(first_failed) >= since


def _days(now: datetime, then: datetime) -> int:
    return max(0, (aware(now) - aware(then)).days)


def _portal_info(portals, portal_id) -> dict:
    info = (portals or {}).get(portal_id) or {}
    if not isinstance(info, Mapping):
        info = {k: getattr(info, k, None) for k in ("name", "region", "status")}
    return info


def _make(portal_id, info, check, ref, ref_kind, known, run, now, recovered) -> Regression:
    start, end = run
    last_fail = known[end]
    current = known[-1]
    evidence = dict(last_fail.evidence or {})
    if recovered:
        evidence["recovered_at"] = aware(known[end + 1].at).isoformat()
    return Regression(
        portal_id=portal_id, name=info.get("name") or "", region=info.get("region") or "",
        check=check,
        baseline_value=ref.value if ref is not None else None,
        baseline_level=ref.level if ref is not None else None,
        baseline_at=ref.at if ref is not None else None,
        current_value=current.value, current_at=current.at,
        first_failed_at=known[start].at,
        days_failing=_days(known[end + 1].at if recovered else now, known[start].at),
        evidence=evidence, baseline_kind=ref_kind, recovered=recovered,
        baseline_crawl_id=ref.crawl_id if ref is not None else None,
        current_crawl_id=(current if not recovered else last_fail).crawl_id,
        failing_crawls=end - start + 1,
    )


def _sort_key(order):
    return lambda r: (r.region, r.portal_id, order.get(r.check, 99), r.check)


def _walk(history, baselines, now, consecutive, portals, checks):
    """What both finders iterate: every (portal, check) of open portals with its records, the
    portal's reference crawl, the crawl order and the N consecutive failures the check needs."""
    wanted_n = default_consecutive()
    wanted_n.update(consecutive or {})
    checks = tuple(checks) if checks is not None else DEFAULT_CHECKS
    by_rule, crawl_order = _by_portal_and_rule(history, now)
    for portal_id, per_rule in by_rule.items():
        info = _portal_info(portals, portal_id)
        if info.get("status") == "closed":
            continue
        ref_crawl, ref_kind = _reference(portal_id, crawl_order[portal_id], baselines)
        for check in checks:
            records = per_rule.get(check)
            if records:
                n = max(1, int(wanted_n.get(check, 1)))
                yield portal_id, info, check, records, ref_crawl, ref_kind, crawl_order[portal_id], n


def _sorted(found: list[Regression]) -> list[Regression]:
    order = {rule_id: i for i, rule_id in enumerate(RULES)}
    return sorted(found, key=_sort_key(order))


# -- public ---------------------------------------------------------------------------------------


def find_regressions(history: Iterable[VerdictRecord], baselines: Mapping[str, str | None],
                     now: datetime, against: str = "baseline",
                     consecutive: Mapping[str, int] | None = None, include_recovered: bool = False,
                     since: date | datetime | None = None, portals: Mapping | None = None,
                     checks: Iterable[str] | None = None) -> list[Regression]:
    """Every check that passed at the reference crawl and fails now, N crawls in a row.

    ``baselines``: portal_id -> baseline crawl_id (None or absent: the first crawl is used).
    ``portals``: portal_id -> {name, region, status} (closed portals never appear).
    ``since``: only failures whose run began on or after that day (or instant).
    """
    if against not in ("baseline", "previous"):
        raise ValueError(f"against must be 'baseline' or 'previous', not {against!r}")
    found = []
    walk = _walk(history, baselines, now, consecutive, portals, checks)
    for portal_id, info, check, records, ref_crawl, ref_kind, crawls, n in walk:
        if against == "baseline":
            position = {cid: i for i, cid in enumerate(crawls)}
            item = _against_reference(portal_id, info, check, records, ref_crawl, ref_kind,
                                      position, n, now, include_recovered)
        else:
            item = _against_previous(portal_id, info, check, records, n, now, include_recovered)
        if item is not None and _since_ok(item.first_failed_at, since):
            found.append(item)
    return _sorted(found)


def _against_reference(portal_id, info, check, records, ref_crawl, ref_kind, position, n, now,
                       include_recovered):
    ref = next((r for r in records if r.crawl_id == ref_crawl), None)
    if ref is None or ref.passed is False or not _judged(ref):
        return None
    after = [r for r in records if _judged(r) and position[r.crawl_id] > position[ref_crawl]]
    if not after:
        return None
    runs = [run for run in _runs(after) if run[1] - run[0] + 1 >= n]
    if not runs:
        return None
    run = runs[-1]
    recovered = run[1] < len(after) - 1
    if recovered and not include_recovered:
        return None
    return _make(portal_id, info, check, ref, ref_kind, after, run, now, recovered)


def _against_previous(portal_id, info, check, records, n, now, include_recovered):
    known = [r for r in records if _judged(r)]
    runs = _runs(known)
    if not runs:
        return None
    start, end = runs[-1]
    if end == len(known) - 1:  # failing now: newly confirmed when the run just reached N
        if end - start + 1 != n or start == 0:
            return None
        recovered = False
    else:  # came back at the newest crawl, after a run that had counted
        if not include_recovered or end != len(known) - 2 or end - start + 1 < n or start == 0:
            return None
        recovered = True
    ref = known[start - 1]
    return _make(portal_id, info, check, ref, "previous", known, (start, end), now, recovered)


def find_unrectified(history: Iterable[VerdictRecord], baselines: Mapping[str, str | None],
                     rectify_by: date, now: datetime | None = None,
                     consecutive: Mapping[str, int] | None = None, portals: Mapping | None = None,
                     checks: Iterable[str] | None = None) -> list[Regression]:
    """整改后仍未达标: checks that failed at the baseline and still fail after ``rectify_by``.

    "After" means a crawl on a later day (Shanghai) than the deadline; the newest known verdict
    must fail and its failing run must be N crawls long. ``days_failing`` counts from the start of
    that run; ``baseline_kind`` says whether a baseline or the first crawl was the reference.
    """
    found = []
    walk = _walk(history, baselines, now, consecutive, portals, checks)
    for portal_id, info, check, records, ref_crawl, ref_kind, _crawls, n in walk:
        ref = next((r for r in records if r.crawl_id == ref_crawl), None)
        if ref is None or ref.passed is not False:
            continue
        known = [r for r in records if _judged(r)]
        if not known or known[-1].passed is not False:
            continue
        if local_date(known[-1].at) <= rectify_by:
            continue
        start, end = _runs(known)[-1]
        if end - start + 1 < n:
            continue
        item = _make(portal_id, info, check, ref, ref_kind, known, (start, end),
                     now if now is not None else known[-1].at, False)
        item.evidence["rectify_by"] = rectify_by.isoformat()
        found.append(item)
    return _sorted(found)
