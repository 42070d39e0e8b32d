"""Judging a finished crawl: every official rule for every portal, stored as verdicts."""

from __future__ import annotations

from monitor.rules import build_rules, judge_all
from monitor.store.states import crawl_now, load_states, save_verdicts


def judge_crawl(store, crawl_id: str, settings=None) -> dict[str, list]:
    """Judge every portal of a ``portal`` crawl at the crawl's own clock; store and return verdicts."""
    crawl = store.crawl(crawl_id)
    if crawl is None or crawl["spider"] != "portal":
        return {}
    now = crawl_now(crawl)
    rules = build_rules(settings)
    get = settings.get if settings is not None else {}.get
    window = int(get("MONITOR_REACHABLE_WINDOW_DAYS") or 7)
    repost_days = int(get("MONITOR_REPOSTS_WINDOW_DAYS") or 30)
    states = load_states(store, crawl_id, window, repost_days)
    verdicts = {s.portal_id: judge_all(s, now, rules=rules) for s in states}
    save_verdicts(store, crawl_id, now, verdicts)
    return verdicts


def judge_missing(store, settings=None) -> int:
    """Judge finished ``portal`` crawls that have no verdicts yet (e.g. written by an older version)."""
    rows = store.query("select id from crawls where spider = 'portal' and status = 'finished' and "
                       "not exists (select 1 from verdicts v where v.crawl_id = crawls.id)")
    for r in rows:
        judge_crawl(store, r["id"], settings)
    return len(rows)
