"""The official rules as pure functions: each both ways at its threshold, unknowns, settings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from monitor.rules import (FAIL, PASS, RULES, VETO_RULES, BoardState, ColumnState, LinkCheck,
                           PortalState, Visit, build_rules, judge_all, national_repost_share)
from monitor.rules.redating import Sighting
from monitor.extract.boards import Message
from monitor.clock import SHANGHAI
from monitor.config import MonitorSettings, convert, describe
from monitor.extract.errorlink import ErrorLink
from monitor.extract.policy import PolicyColumn
from monitor.rules.base import Rule

NOW = datetime(2024, 10, 20, 12, 0, tzinfo=SHANGHAI)


def visits(total: int, failed: int = 0, error: str = "timeout", valid: bool = True,
           start: datetime = NOW - timedelta(days=6)) -> list[Visit]:
    step = timedelta(days=6) / max(total, 1)
    return [Visit(at=start + i * step, ok=i >= failed, error=error if i < failed else None,
                  latency_ms=300.0, valid_round=valid) for i in range(total)]


def column(n: int, type_: str = "news", age: int | None = 1, **kw) -> ColumnState:
    newest = (NOW - timedelta(days=age)).date() if age is not None else None
    return ColumnState(url=f"https://www.example.gov.cn/col/col{n}/index.html", name=f"栏目{n}",
                       type=type_, newest=newest, entries=20, **kw)


def healthy(**changes) -> PortalState:
    state = PortalState(
        portal_id="zz-city", name="某市人民政府", region="henan", status="active",
        registry_site_code="4101000001", crawl_id="c1", crawled_at=NOW, homepage_ok=True,
        homepage_url="https://www.example.gov.cn/", homepage_newest=NOW - timedelta(days=1),
        homepage_dated_items=30,
        columns=[column(i) for i in range(6)] + [column(10 + i, "personnel", 100) for i in range(3)],
        visits=visits(140),
        error_link=ErrorLink(True, "4101000001", "https://zfwzgl.www.gov.cn/exposure/jiucuo.js", "script"),
        policy_column=PolicyColumn(True, "国务院信息", "/gwyxx/", 8, "above"),
        reposts={"window_days": 30, "releases": 12, "reposted": 9, "within_24h": 5,
                 "median_lag_hours": 20.5},
        # issue 12: a read board with every message answered, nothing found, two honest crawls
        boards=[BoardState(url="https://www.example.gov.cn/hdjl/xzxx/", messages=[
            Message(f"咨询{i}", f"https://www.example.gov.cn/hdjl/{i}.html",
                    (NOW - timedelta(days=5 + 20 * i)).date(), "answered", "已回复",
                    (NOW - timedelta(days=3 + 20 * i)).date()) for i in range(10)])],
        privacy=[], harmful=[], guide_pairs=[],
        sightings={"https://www.example.gov.cn/": [
            Sighting(f"新闻{i}", f"https://www.example.gov.cn/{i}.html", (NOW - timedelta(days=i)).date(),
                     (NOW - timedelta(days=i)).date(), NOW.date()) for i in range(8)]},
        crawl_days=[(NOW - timedelta(days=7)).date(), NOW.date()],
        link_checks=[LinkCheck(f"https://www.example.gov.cn/col/col{i}/", 200) for i in range(20)],
    )
    return replace(state, **changes)


def judge(rule_id: str, state: PortalState, now: datetime = NOW, **settings):
    return RULES[rule_id].from_settings(settings).judge(state, now)


def test_healthy_portal_passes_everything():
    verdicts = judge_all(healthy(), NOW)
    assert [v.rule for v in verdicts] == list(RULES)
    assert all(v.passed is True and v.level == "ok" for v in verdicts), verdicts
    assert verdicts[-1].value == PASS
    for v in verdicts:  # the store keeps evidence as JSON
        json.dumps(v.evidence)


def test_registry_is_declarative():
    # the single-veto items of 国办秘函〔2019〕19号: availability, updates, interaction (互动回应差) and
    # the serious errors (leaked personal data, harmful/injected content, forged dates); the last
    # four can fail a portal but their unknown (no board, an older crawl) never holds back 合格
    assert VETO_RULES == ("reachable", "homepage_fresh", "columns_fresh", "interaction", "privacy",
                          "harmful_content", "forged_dates")
    assert [r for r in VETO_RULES if not RULES[r].unknown_blocks] == [
        "interaction", "privacy", "harmful_content", "forged_dates"]
    for rule_id, cls in RULES.items():
        assert cls.id == rule_id and cls.indicator and cls.description()
        assert set(cls.settings) <= {name for name, _, _ in describe()}
    assert all(name.startswith("MONITOR_") for name, _, _ in describe())


# -- reachable ----------------------------------------------------------------------------------


@pytest.mark.parametrize("total,failed,passed,level", [
    (140, 7, False, "fail"),      # a full official sample (a week at 20 a day): 5.0% is the veto
    (1000, 49, True, "warn"),     # 4.9% of a full sample
    (100, 3, True, "warn"),       # 3%: vendors warn
    (100, 2, True, "ok"),         # 2%
    (50, 1, True, "ok"),          # one probe in fifty is never flagged
    (30, 1, True, "ok"),          # 3.3%, but one failed visit: not even a warning
    (60, 2, True, "warn"),        # 3.3% on two failed visits warns
    (140, 1, True, "ok"),         # a full sample, 0.7%
    (100, 5, None, "unknown"),    # 5% of 100: the interval (1.6%-11%) straddles the line
    (20, 1, None, "unknown"),     # 5% on a single failed visit: never a veto
    (40, 2, None, "unknown"),
    (5, 5, False, "fail"),        # down at all five visits over two days
    (30, 10, False, "fail"),      # a third failed: even the lower bound is far over 5%
])
def test_reachable_threshold(total, failed, passed, level):
    v = judge("reachable", healthy(visits=visits(total, failed)))
    assert (v.passed, v.level) == (passed, level), v.evidence
    assert v.evidence["visits"] == total and v.evidence["failed"] == failed
    low, high = v.evidence["interval"]
    assert 0 <= low <= failed / total <= high <= 1
    if failed:
        assert v.evidence["errors"] == {"timeout": failed}
        assert v.evidence["first_failed_at"].startswith("2024-10-14")


def _failing(n: int, failed: int, hours: int) -> list[Visit]:
    """``n`` visits over two days, ``failed`` of them failed, the failures spread over ``hours``
    different hours."""
    start = NOW - timedelta(days=2)
    out = [Visit(at=start + timedelta(hours=i % hours, minutes=i // hours), ok=False, error="refused")
           for i in range(failed)]
    out += [Visit(at=start + timedelta(hours=20 + i * 0.3), ok=True) for i in range(n - failed)]
    return out


def test_reachable_boundaries_both_sides():
    from monitor.rules.reachable import wilson_interval
    rule = RULES["reachable"]()
    # the lower bound crosses 5% between 3 of 21 and 3 of 20 failed visits
    assert wilson_interval(3, 21, 0.95)[0] < 0.05 < wilson_interval(3, 20, 0.95)[0]
    assert rule.judge(healthy(visits=_failing(20, 3, 3)), NOW).level == "fail"
    assert rule.judge(healthy(visits=_failing(21, 3, 3)), NOW).level == "unknown"
    # MONITOR_REACHABLE_MIN_FAILURES (2): one failure never fails, two can
    assert rule.judge(healthy(visits=_failing(1, 1, 1)), NOW).level == "unknown"
    assert rule.judge(healthy(visits=_failing(2, 2, 2)), NOW).level == "fail"
    # the failures must fall on two different hours: one outage window is not enough
    assert rule.judge(healthy(visits=_failing(3, 3, 1)), NOW).level == "unknown"
    assert rule.judge(healthy(visits=_failing(3, 3, 2)), NOW).level == "fail"
    # the official sample: 7 of 139 is not yet a verdict, 7 of 140 is the veto
    assert judge("reachable", healthy(visits=visits(139, 7))).level == "unknown"
    assert judge("reachable", healthy(visits=visits(140, 7))).level == "fail"
    # ok needs the official daily count of visits, 20
    few = judge("reachable", healthy(visits=visits(19)))
    assert (few.level, few.evidence["reason"], few.evidence["none_failed"]) == ("unknown", "too_few_visits", True)
    assert judge("reachable", healthy(visits=visits(20))).level == "ok"
    # a stricter confidence needs more evidence
    assert judge("reachable", healthy(visits=_failing(20, 3, 3)), MONITOR_REACHABLE_CONFIDENCE="0.99").level == "unknown"


def test_reachable_counts_crawl_fetches_beside_probes():
    crawl = [Visit(at=NOW - timedelta(days=d), ok=False, error="refused", source="crawl") for d in (1, 2)]
    probe = [Visit(at=NOW - timedelta(days=1, hours=h), ok=False, error="refused") for h in (3, 6, 9)]
    v = judge("reachable", healthy(visits=crawl + probe))
    assert (v.level, v.evidence["sources"]) == ("fail", {"crawl": 2, "probe": 3})


def test_reachable_minimum_sample_and_window():
    assert judge("reachable", healthy(visits=visits(19, 1))).passed is None
    assert judge("reachable", healthy(visits=visits(19, 1))).evidence["reason"] == "too_few_visits"
    old = visits(100, 50, start=NOW - timedelta(days=20))  # outside the week
    assert judge("reachable", healthy(visits=old + visits(100))).evidence["visits"] == 100
    future = visits(100, 50, start=NOW + timedelta(hours=1))
    assert judge("reachable", healthy(visits=future + visits(100))).passed is True


def test_reachable_ignores_invalid_rounds_and_robots():
    state = healthy(visits=visits(100) + visits(50, 50, valid=False) + visits(30, 30, "robots"))
    v = judge("reachable", state)
    assert v.level == "ok" and v.evidence["invalid_round_visits"] == 50
    assert v.evidence["ignored_visits"] == 30


def test_reachable_speaks_when_homepage_failed_and_migrated_passes():
    down = healthy(homepage_ok=False, homepage_error="timeout", visits=visits(100, 30))
    verdicts = {v.rule: v for v in judge_all(down, NOW)}
    assert verdicts["reachable"].passed is False
    assert all(verdicts[r].passed is None for r in RULES if r not in ("reachable", "overall"))
    assert verdicts["homepage_fresh"].evidence["error"] == "timeout"
    assert verdicts["overall"].value == FAIL
    moved = healthy(status="migrated", migrated_ok=True, visits=visits(100, 100))
    assert judge("reachable", moved).passed is True
    broken_move = healthy(status="migrated", migrated_ok=False, visits=visits(100, 100))
    assert judge("reachable", broken_move).passed is False


def test_reachable_settings_override_accepts_strings():
    state = healthy(visits=visits(140, 6))
    assert judge("reachable", state).level == "warn"
    assert judge("reachable", state, MONITOR_REACHABLE_FAIL_SHARE="4%").passed is False
    assert judge("reachable", state, MONITOR_REACHABLE_FAIL_SHARE="0.04").passed is False
    assert judge("reachable", healthy(visits=visits(10)), MONITOR_REACHABLE_MIN_VISITS="10").passed


# -- homepage_fresh -----------------------------------------------------------------------------


@pytest.mark.parametrize("age,passed,level", [
    (10, True, "ok"), (11, True, "warn"), (14, True, "warn"), (15, False, "fail"),
])
def test_homepage_fresh_threshold(age, passed, level):
    v = judge("homepage_fresh", healthy(homepage_newest=(NOW - timedelta(days=age)).date()))
    assert (v.passed, v.level, v.value) == (passed, level, age)
    assert v.evidence["newest"] == (NOW - timedelta(days=age)).date().isoformat()


def test_homepage_fresh_undated_fails_and_unknowns():
    v = judge("homepage_fresh", healthy(homepage_newest=None, homepage_dated_items=0))
    assert (v.passed, v.value, v.evidence["reason"]) == (False, "undated", "no_dated_item")
    assert judge("homepage_fresh", healthy(homepage_ok=None)).passed is None
    assert judge("homepage_fresh", healthy(homepage_ok=False)).passed is None


def test_homepage_fresh_dates_are_shanghai_days():
    # 2024-10-05 17:00 UTC is 10-06 01:00 in Shanghai: 14 days before 10-20, not 15
    newest = datetime(2024, 10, 5, 17, 0, tzinfo=timezone.utc)
    assert judge("homepage_fresh", healthy(homepage_newest=newest)).value == 14
    naive_now = datetime(2024, 10, 20, 12, 0)
    assert judge("homepage_fresh", healthy(homepage_newest=date(2024, 10, 5)), naive_now).value == 15


def test_homepage_navigation_only_uses_columns():
    fresh_cols = [column(1, age=30), column(2, age=3), column(3, fetched=False, age=None)]
    v = judge("homepage_fresh", healthy(navigation_only=True, homepage_newest=None,
                                        columns=fresh_cols))
    assert v.passed is True and v.value == 3 and v.evidence["source"] == "columns"
    stale_cols = [column(1, age=30), column(2, age=None)]
    v = judge("homepage_fresh", healthy(navigation_only=True, columns=stale_cols))
    assert v.passed is False and v.value == 30
    none_fetched = [column(1, fetched=False)]
    assert judge("homepage_fresh", healthy(navigation_only=True, columns=none_fetched)).passed is None


def test_homepage_settings_override():
    state = healthy(homepage_newest=(NOW - timedelta(days=8)).date())
    assert judge("homepage_fresh", state, MONITOR_HOMEPAGE_MAX_AGE_DAYS=7).passed is False
    assert judge("homepage_fresh", state, MONITOR_HOMEPAGE_WARN_DAYS="5").level == "warn"


# -- columns_fresh ------------------------------------------------------------------------------


def test_columns_key_stale_boundary():
    four = [column(i, age=15) for i in range(4)] + [column(9, age=1)]
    v = judge("columns_fresh", healthy(columns=four))
    assert v.passed is True and v.evidence["key_stale"] == 4
    five = [column(i, age=15) for i in range(5)]
    v = judge("columns_fresh", healthy(columns=five))
    assert v.passed is False and v.evidence["failed_by"] == ["key_stale"]
    assert v.value == "key_stale=5 stale=5 blank=0"
    assert {c["url"] for c in v.evidence["stale_columns"]} == {c.url for c in five}
    assert v.evidence["stale_columns"][0]["newest"] == (NOW - timedelta(days=15)).date().isoformat()


def test_columns_type_limits():
    # notices have 6 months: 100 days is fresh, 200 days is stale
    notices = [column(i, "notice", 100) for i in range(5)]
    assert judge("columns_fresh", healthy(columns=notices)).passed is True
    notices = [column(i, "notice", 200) for i in range(5)]
    assert judge("columns_fresh", healthy(columns=notices)).passed is False
    # the column's own limit wins over the type table
    own = [column(i, "notice", 20, max_age_days=14) for i in range(5)]
    assert judge("columns_fresh", healthy(columns=own)).passed is False
    # a column without type or limit is never stale
    free = [column(i, None, 900) for i in range(12)]
    assert judge("columns_fresh", healthy(columns=free)).passed is True


def test_columns_any_type_boundary():
    nine = [column(i, "personnel", 400) for i in range(9)]
    v = judge("columns_fresh", healthy(columns=nine))
    assert v.passed is True and v.evidence["stale"] == 9 and v.evidence["key_stale"] == 0
    ten = [column(i, "personnel", 400) for i in range(10)]
    v = judge("columns_fresh", healthy(columns=ten))
    assert v.passed is False and v.evidence["failed_by"] == ["stale"]


def test_columns_blank_boundary_and_undated():
    four = [column(i, blank=True, age=None) for i in range(4)] + [column(9)]
    assert judge("columns_fresh", healthy(columns=four)).passed is True
    five = [column(i, blank=True, age=None) for i in range(5)]
    v = judge("columns_fresh", healthy(columns=five))
    assert v.passed is False and v.evidence["failed_by"] == ["blank"] and v.evidence["stale"] == 0
    undated = [column(i, age=None) for i in range(5)]  # items without a date: not updated
    assert judge("columns_fresh", healthy(columns=undated)).passed is False


def test_columns_not_fetched_are_unknown_not_stale():
    cols = [column(i, age=15) for i in range(4)] + [column(9, age=None, fetched=False)]
    v = judge("columns_fresh", healthy(columns=cols))
    assert v.passed is True and v.evidence["unknown"] == 1
    assert v.evidence["unknown_columns"] == [cols[-1].url]
    none = [column(i, age=None, fetched=False) for i in range(6)]
    assert judge("columns_fresh", healthy(columns=none)).passed is None
    assert judge("columns_fresh", healthy(columns=[])).passed is None
    assert judge("columns_fresh", healthy(homepage_ok=False)).passed is None


def test_columns_settings_override():
    three = [column(i, age=15) for i in range(3)]
    assert judge("columns_fresh", healthy(columns=three)).passed is True
    assert judge("columns_fresh", healthy(columns=three), MONITOR_COLUMNS_STALE_MAX="3").passed is False
    custom = [column(i, "weird", 40) for i in range(5)]
    limits = '{"weird": 30}'
    assert judge("columns_fresh", healthy(columns=custom), MONITOR_COLUMN_MAX_AGE_DAYS=limits,
                 MONITOR_COLUMNS_KEY_TYPES="weird").passed is False


# -- policy_column, error_link, reposts_24h -----------------------------------------------------


def test_policy_column():
    assert judge("policy_column", healthy()).level == "ok"
    below = healthy(policy_column=PolicyColumn.from_json({"found": True, "title": "国务院信息", "url": None, "items": 0,
                                   "position": "below"}))
    v = judge("policy_column", below)
    assert (v.passed, v.level, v.evidence["reason"]) == (True, "warn", "not_prominent")
    missing = healthy(policy_column=PolicyColumn.from_json({"found": False, "title": None, "url": None, "items": 0,
                                     "position": None}))
    assert judge("policy_column", missing).passed is False
    assert judge("policy_column", healthy(policy_column=None)).passed is None
    assert judge("policy_column", healthy(homepage_ok=False)).passed is None


def test_error_link():
    assert judge("error_link", healthy()).evidence["site_code_check"] == "match"
    missing = healthy(error_link=ErrorLink.from_json({"found": False, "site_code": None, "url": None, "variant": None}))
    v = judge("error_link", missing)
    assert (v.passed, v.evidence["failed"]) == (False, "missing")
    wrong = healthy(error_link=ErrorLink.from_json({"found": True, "site_code": "4101000002", "url": None,
                                "variant": "script"}))
    v = judge("error_link", wrong)
    assert (v.passed, v.evidence["failed"], v.value) == (False, "site_code_mismatch",
                                                         "site_code_mismatch")
    assert v.evidence["site_code"] == "4101000002"
    assert judge("error_link", replace(wrong, registry_site_code=None)).level == "ok"
    case = healthy(registry_site_code="BM17000009",
                   error_link=ErrorLink.from_json({"found": True, "site_code": "bm17000009", "url": None,
                               "variant": "div"}))
    assert judge("error_link", case).level == "ok"
    unread = healthy(error_link=ErrorLink.from_json({"found": True, "site_code": None, "url": None, "variant": "div"}))
    assert judge("error_link", unread).level == "warn"
    assert judge("error_link", healthy(error_link=None)).passed is None


def test_reposts_24h():
    assert judge("reposts_24h", healthy()).value == 5
    none = healthy(reposts={"window_days": 30, "releases": 12, "reposted": 4, "within_24h": 0,
                            "median_lag_hours": 60.0})
    v = judge("reposts_24h", none)
    assert v.passed is False and v.evidence["reposted"] == 4
    one = healthy(reposts={"window_days": 30, "releases": 12, "reposted": 1, "within_24h": 1,
                           "median_lag_hours": 3.0})
    assert judge("reposts_24h", one).passed is True
    quiet = healthy(reposts={"window_days": 30, "releases": 0, "reposted": 0, "within_24h": 0,
                             "median_lag_hours": None})
    assert judge("reposts_24h", quiet).evidence["reason"] == "no_releases"
    assert judge("reposts_24h", healthy(reposts=None)).passed is None


def test_national_repost_share():
    none = {"window_days": 30, "releases": 5, "reposted": 0, "within_24h": 0, "median_lag_hours": None}
    quiet = dict(none, releases=0)
    states = [healthy(), healthy(), healthy(reposts=none), healthy(reposts=quiet),
              healthy(status="closed"), healthy(homepage_ok=False)]
    assert national_repost_share(states) == pytest.approx(2 / 3)
    assert national_repost_share([healthy(reposts=quiet)]) is None
    assert national_repost_share([]) is None


# -- overall and judge_all ----------------------------------------------------------------------


def test_overall():
    assert judge_all(healthy(status="closed"), NOW) == []
    stale = judge_all(healthy(homepage_newest=(NOW - timedelta(days=30)).date()), NOW)
    overall = stale[-1]
    assert (overall.passed, overall.value, overall.evidence["failed"]) == (False, FAIL,
                                                                           ["homepage_fresh"])
    # element rules are not vetoes
    no_link = healthy(error_link=ErrorLink.from_json({"found": False, "site_code": None, "url": None, "variant": None}))
    assert judge_all(no_link, NOW)[-1].value == PASS
    # unknown when none fails and one is unknown
    few = judge_all(healthy(visits=visits(5)), NOW)[-1]
    assert (few.passed, few.level, few.evidence["unknown"]) == (None, "unknown", ["reachable"])
    # a veto rule's warning is still 合格
    warned = judge_all(healthy(homepage_newest=(NOW - timedelta(days=12)).date()), NOW)[-1]
    assert (warned.value, warned.level) == (PASS, "warn")
    assert RULES["overall"]().judge(healthy(), NOW).value == PASS


def test_judge_all_settings_and_prebuilt_rules():
    state = healthy(homepage_newest=(NOW - timedelta(days=8)).date())
    settings = {"MONITOR_HOMEPAGE_MAX_AGE_DAYS": "7"}
    assert judge_all(state, NOW, settings)[-1].value == FAIL
    rules = build_rules(settings)
    assert judge_all(state, NOW, rules=rules)[-1].value == FAIL


class _ScrapyLikeSettings:
    def __init__(self, values):
        self.values = values

    def get(self, name, default=None):
        return self.values.get(name, default)


def test_from_settings_reads_any_mapping_and_rejects_garbage():
    rule = RULES["reachable"].from_settings(_ScrapyLikeSettings({"MONITOR_REACHABLE_MIN_VISITS": "50"}))
    assert rule.min_visits == 50 and rule.fail_share == 0.05
    assert RULES["reachable"](min_visits=5).min_visits == 5
    with pytest.raises(ValueError, match="MONITOR_REACHABLE_MIN_VISITS"):
        RULES["reachable"].from_settings({"MONITOR_REACHABLE_MIN_VISITS": "many"})
    with pytest.raises(TypeError):
        RULES["reachable"](nonsense=1)
    assert convert("MONITOR_REACHABLE_IGNORE_ERRORS", "a, b") == ("a", "b")
    assert convert("MONITOR_PROGRESS", "off") is False
    assert RULES["reachable"].from_settings(MonitorSettings(reachable_min_visits=7)).min_visits == 7
    assert isinstance(RULES["reachable"](), Rule)
