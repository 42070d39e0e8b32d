"""站点无法访问: the share of failed availability visits over the last week."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from statistics import median

from monitor.rules.base import Rule, aware, fail, iso, ok, unknown, warn

_EPS = 1e-9


class Reachable(Rule):
    """The homepage failed to load (15 s) in 5% or more of the last week's probe visits.

    Only visits of valid probe rounds count (a round in which most portals failed at once is our
    own network's fault). Fewer than MONITOR_REACHABLE_MIN_VISITS visits (default 20, the official
    daily rate) give no verdict: the share would rest on too few samples. A single failed visit
    never fails a portal on its own (MONITOR_REACHABLE_MIN_FAILURES, default 2): the official rule
    assumes 20 visits a day for a week, where one failure is 0.7%. Warns from 3%. A migrated portal
    whose old home points to its registered new home passes.
    """

    id = "reachable"
    indicator = "国办秘函〔2019〕19号 单项否决: 站点无法访问 (监测1周, 每天至少20次, 15秒未打开为失败, 失败率≥5%)"
    veto = True
    content = False
    settings = {
        "MONITOR_REACHABLE_WINDOW_DAYS": "window_days",
        "MONITOR_REACHABLE_FAIL_SHARE": "fail_share",
        "MONITOR_REACHABLE_WARN_SHARE": "warn_share",
        "MONITOR_REACHABLE_MIN_VISITS": "min_visits",
        "MONITOR_REACHABLE_MIN_FAILURES": "min_failures",
        "MONITOR_REACHABLE_IGNORE_ERRORS": "ignore_errors",
    }

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if state.status == "migrated" and state.migrated_ok:
            return ok(self.id, "migrated", reason="migrated", url=state.homepage_url)
        now = aware(now)
        start = now - timedelta(days=self.window_days)
        ignored = set(self.ignore_errors)
        in_window = [v for v in state.visits if start < aware(v.at) <= now]
        invalid = sum(1 for v in in_window if not v.valid_round)
        visits = [v for v in in_window
                  if v.valid_round and not (not v.ok and (v.error or "") in ignored)]
        failed = sorted((v for v in visits if not v.ok), key=lambda v: aware(v.at))
        evidence = {
            "window_days": self.window_days,
            "visits": len(visits),
            "failed": len(failed),
            "invalid_round_visits": invalid,
            "ignored_visits": len(in_window) - invalid - len(visits),
            "errors": dict(Counter(v.error or "unknown" for v in failed).most_common()),
            "url": state.homepage_url,
        }
        if failed:
            evidence["error"] = next(iter(evidence["errors"]))  # the commonest error class
            evidence["first_failed_at"] = iso(aware(failed[0].at))
            evidence["last_failed_at"] = iso(aware(failed[-1].at))
            evidence["failed_at"] = [iso(aware(v.at)) for v in failed[-5:]]
        latencies = [v.latency_ms for v in visits if v.ok and v.latency_ms is not None]
        if latencies:
            evidence["median_latency_ms"] = round(median(latencies), 1)
        if state.status == "migrated":
            evidence["migrated_ok"] = state.migrated_ok
        if len(visits) < self.min_visits:
            return unknown(self.id, None, reason="too_few_visits", min_visits=self.min_visits,
                           **evidence)
        share = len(failed) / len(visits)
        evidence["share"] = round(share, 4)
        value = round(share, 4)
        if share + _EPS >= self.fail_share and len(failed) >= self.min_failures:
            return fail(self.id, value, threshold=self.fail_share, **evidence)
        if share + _EPS >= self.warn_share:
            return warn(self.id, value, threshold=self.fail_share, **evidence)
        return ok(self.id, value, threshold=self.fail_share, **evidence)
