"""Regressions as events to announce: each one once when it begins, once when it recovers.

An event's identity is (portal, check, start of the failing run, kind), stable across runs and
restarts: the same failing run is never announced twice, and a portal that fails again after a
recovery is a new run, announced again. ``at`` is when the event became known: for ``began``
the crawl at which the run reached its N consecutive failures (``confirmed_at``), for
``recovered`` the first passing crawl after it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from monitor.clock import aware, iso
from monitor.ids import stable_id
from monitor.regressions import Regression, VerdictRecord

#: evidence keys worth a line in a message (the rest stays in the store and ``monitor evidence``)
EVIDENCE_KEYS = ("url", "error", "newest", "reason", "failed", "share", "stale_columns", "site_code",
                 "registry_site_code")


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # began, recovered
    portal_id: str
    region: str
    check: str
    first_failed_at: str
    at: datetime
    payload: dict


def events_of(regressions: Iterable[Regression], history: Iterable[VerdictRecord],
              consecutive: Mapping[str, int]) -> list[Event]:
    """The ``began`` event of every regression, and the ``recovered`` event of those that came back."""
    known: dict[tuple[str, str], list[VerdictRecord]] = defaultdict(list)
    for record in history:
        if record.passed is not None:
            known[(record.portal_id, record.rule)].append(record)
    for records in known.values():
        records.sort(key=lambda rec: (aware(rec.at), rec.crawl_id))
    out = []
    for r in regressions:
        first = aware(r.first_failed_at)
        records = known.get((r.portal_id, r.check), [])
        start = next((i for i, rec in enumerate(records) if aware(rec.at) == first), None)
        if start is None:  # cannot happen with the history the regressions came from
            continue
        end = start
        while end + 1 < len(records) and records[end + 1].passed is False:
            end += 1
        n = max(1, int(consecutive.get(r.check, 1)))
        confirmed = aware(records[min(start + n - 1, end)].at)
        last_fail = records[end]
        recovered_at = r.evidence.get("recovered_at") if r.recovered else None
        payload = {
            "portal_id": r.portal_id, "name": r.name, "region": r.region, "check": r.check,
            "first_failed_at": iso(first), "confirmed_at": iso(confirmed), "recovered_at": recovered_at,
            "baseline_value": r.baseline_value, "baseline_at": iso(r.baseline_at) if r.baseline_at else None,
            "baseline_kind": r.baseline_kind, "current_value": r.current_value, "current_at": iso(r.current_at),
            "failed_value": last_fail.value, "failed_at": iso(last_fail.at),
            "crawl_id": r.current_crawl_id, "days_failing": r.days_failing, "failing_crawls": r.failing_crawls,
            "evidence": {k: r.evidence[k] for k in EVIDENCE_KEYS if k in r.evidence},
        }
        kinds = [("began", confirmed)]
        if recovered_at:
            kinds.append(("recovered", aware(datetime.fromisoformat(recovered_at))))
        for kind, at in kinds:
            out.append(Event(id=stable_id(r.portal_id, r.check, iso(first), kind), kind=kind,
                             portal_id=r.portal_id, region=r.region, check=r.check,
                             first_failed_at=iso(first), at=at, payload={**payload, "kind": kind}))
    return out
