"""站点无法访问: the share of failed availability visits, judged from the evidence at hand.

The official rule (国办秘函〔2019〕19号) samples a portal for a week, at least 20 visits a day, and
fails it at 5 % failed visits or more. A monitor should not need that full week to say that a portal
down at every visit for two days is down, nor flag one on a single failure, so the failure share is
judged with a confidence interval (Wilson score; hand-written, five lines, rather than pulling in
scipy or statsmodels for one formula):

- fail, early, when even the interval's lower bound is over 5 % and at least
  MONITOR_REACHABLE_MIN_FAILURES visits failed on at least two different hours (so one outage
  window is not the whole story);
- with a full official sample (MONITOR_REACHABLE_OFFICIAL_VISITS, a week at 20 a day) the observed
  share decides, as the official rule does: fail at 5 % (with at least MIN_FAILURES failures), warn
  at 3 % (with as many failures);
- ok when at least MONITOR_REACHABLE_MIN_VISITS (the official daily count) valid visits were made
  and the share is under 5 % (warn from 3 % when at least MIN_FAILURES visits failed);
- otherwise unknown, with the interval in the evidence.

Visits are the probe's and each portal crawl's homepage fetch. Visits of invalid rounds (most portals
failing at once: our own network) and of ignored error classes (robots.txt, anti-bot challenges) do
not count. A migrated portal whose old home points to its registered new home passes.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from statistics import NormalDist, median

from monitor.clock import SHANGHAI
from monitor.rules.base import Rule, aware, fail, iso, ok, unknown, warn

_EPS = 1e-9


def wilson_interval(failed: int, total: int, confidence: float) -> tuple[float, float]:
    """Two-sided Wilson score interval of a proportion ``failed / total``."""
    if total <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = failed / total
    denominator = 1 + z * z / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


class Reachable(Rule):
    """The homepage failed to load (15 s) in 5% or more of the visits: failing early when even the
    lower confidence bound of the failure share is over 5% (and failures fell on two different
    hours), by the observed share once a full week's official sample exists; ok from 20 valid
    visits under 5% (warns from 3% on two or more failed visits); unknown in between. Probe visits
    and crawl homepage fetches count; invalid rounds and anti-bot challenges do not.
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
        "MONITOR_REACHABLE_OFFICIAL_VISITS": "official_visits",
        "MONITOR_REACHABLE_MIN_FAILURES": "min_failures",
        "MONITOR_REACHABLE_CONFIDENCE": "confidence",
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
        n, f = len(visits), len(failed)
        low, high = wilson_interval(f, n, self.confidence)
        hours = {aware(v.at).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H") for v in failed}
        evidence = {
            "window_days": self.window_days,
            "visits": n,
            "failed": f,
            "invalid_round_visits": invalid,
            "ignored_visits": len(in_window) - invalid - n,
            "errors": dict(Counter(v.error or "unknown" for v in failed).most_common()),
            "url": state.homepage_url,
            "interval": [round(low, 4), round(high, 4)],
            "confidence": self.confidence,
            "failed_hours": len(hours),
        }
        sources = Counter(v.source for v in visits)
        if sources:
            evidence["sources"] = dict(sorted(sources.items()))
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
        share = f / n if n else None
        if share is not None:
            evidence["share"] = round(share, 4)
        value = round(share, 4) if share is not None else None
        enough_failures = f >= self.min_failures
        if enough_failures and len(hours) >= 2 and low > self.fail_share + _EPS:
            return fail(self.id, value, threshold=self.fail_share, decided_by="lower_bound", **evidence)
        if n >= self.official_visits:
            if share + _EPS >= self.fail_share and enough_failures:
                return fail(self.id, value, threshold=self.fail_share, decided_by="official_sample", **evidence)
            if share + _EPS >= self.warn_share and enough_failures:
                return warn(self.id, value, threshold=self.fail_share, decided_by="official_sample", **evidence)
            return ok(self.id, value, threshold=self.fail_share, decided_by="official_sample", **evidence)
        if n >= self.min_visits and share + _EPS < self.fail_share:
            # a warning, like a failure, needs more than one failed visit: one refused probe in 21
            # visits is 4.8 %, and a single failure never flags a portal
            level = warn if share + _EPS >= self.warn_share and enough_failures else ok
            return level(self.id, value, threshold=self.fail_share, **evidence)
        reason = "too_few_visits" if n < self.min_visits else "share_uncertain"
        # nothing failed: the portal was up at every visit made (a baseline it can regress from)
        return unknown(self.id, value, reason=reason, min_visits=self.min_visits,
                       none_failed=f == 0, **evidence)
