"""Regressions against the baseline / previous crawl, and failures not rectified by a deadline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from monitor.config import MonitorSettings
from monitor.extract.errorlink import ErrorLink
from monitor.regressions import (REGRESSION_COLUMNS, VerdictRecord, default_consecutive,
                                 find_regressions, find_unrectified)
from monitor.rules import judge_all
from monitor.clock import SHANGHAI
from test_rules import healthy, visits

T0 = datetime(2024, 9, 1, 9, 0, tzinfo=SHANGHAI)
PORTALS = {"a": {"name": "甲市人民政府", "region": "henan", "status": "active"},
           "b": {"name": "乙县人民政府", "region": "hebei", "status": "active"},
           "gone": {"name": "已关停", "region": "henan", "status": "closed"}}


def crawl_at(i: int) -> datetime:
    return T0 + timedelta(days=7 * i)


def records(portal: str, outcomes: list[dict[str, bool | None]], rules=("reachable", "homepage_fresh",
            "columns_fresh", "error_link")) -> list[VerdictRecord]:
    """One crawl per dict; rules missing from a dict pass."""
    out = []
    for i, outcome in enumerate(outcomes):
        for rule in rules:
            passed = outcome.get(rule, True)
            level = {True: "ok", False: "fail", None: "unknown"}[passed]
            out.append(VerdictRecord(portal, f"{portal}-c{i}", crawl_at(i), rule, passed, level,
                                     value=f"{rule}-{i}", evidence={"crawl": i, "url": f"u{i}"}))
    return out


def now_after(n: int) -> datetime:
    return crawl_at(n - 1) + timedelta(hours=2)


def test_stable_history_of_five_crawls_yields_nothing():
    history = records("a", [{}] * 5) + records("b", [{}] * 5)
    assert find_regressions(history, {"a": "a-c0", "b": None}, now_after(5), portals=PORTALS) == []
    assert find_regressions(history, {}, now_after(5), against="previous") == []
    assert find_regressions(history, {}, now_after(5), include_recovered=True) == []


def test_flapping_failures_never_appear():
    # reachable down in one crawl (needs 2 in a row), content failed once and came back
    history = records("a", [{}, {"reachable": False}, {}, {"homepage_fresh": False}, {}])
    assert find_regressions(history, {"a": "a-c0"}, now_after(5)) == []
    assert find_regressions(history, {"a": "a-c0"}, now_after(5), against="previous") == []
    # the content one came back: listed only when asked, and marked
    back = find_regressions(history, {"a": "a-c0"}, now_after(5), include_recovered=True)
    assert [(r.check, r.recovered) for r in back] == [("homepage_fresh", True)]
    assert back[0].evidence["recovered_at"] == crawl_at(4).isoformat()
    assert back[0].days_failing == 7
    # a single failed reachability crawl at the newest crawl is not yet a regression
    history = records("a", [{}, {}, {"reachable": False}])
    assert find_regressions(history, {"a": "a-c0"}, now_after(3)) == []


def test_injected_regressions_found_with_check_and_evidence():
    history = (records("a", [{}, {}, {"reachable": False}, {"reachable": False}])
               + records("b", [{}, {}, {}, {"homepage_fresh": False, "error_link": False}]))
    found = find_regressions(history, {"a": "a-c0", "b": "b-c1"}, now_after(4), portals=PORTALS)
    rows = [r.as_row() for r in found]
    assert [(r["region"], r["portal_id"], r["check"]) for r in rows] == [
        ("hebei", "b", "homepage_fresh"), ("hebei", "b", "error_link"), ("henan", "a", "reachable")]
    reach = found[-1]
    assert list(reach.as_row()) == list(REGRESSION_COLUMNS)
    assert reach.name == "甲市人民政府" and reach.baseline_kind == "baseline"
    assert (reach.baseline_value, reach.baseline_at) == ("reachable-0", crawl_at(0))
    assert (reach.current_value, reach.current_at) == ("reachable-3", crawl_at(3))
    assert reach.first_failed_at == crawl_at(2) and reach.days_failing == 7
    assert reach.evidence == {"crawl": 3, "url": "u3"}
    assert reach.current_crawl_id == "a-c3" and reach.failing_crawls == 2
    assert found[0].baseline_at == crawl_at(1) and found[0].days_failing == 0


def test_failing_at_baseline_is_not_a_regression_but_unrectified():
    history = records("a", [{"homepage_fresh": False}, {"homepage_fresh": False},
                            {"homepage_fresh": False}])
    assert find_regressions(history, {"a": "a-c0"}, now_after(3)) == []
    deadline = crawl_at(1).date()
    late = find_unrectified(history, {"a": "a-c0"}, deadline, now=now_after(3), portals=PORTALS)
    assert [(r.check, r.baseline_kind) for r in late] == [("homepage_fresh", "baseline")]
    assert late[0].first_failed_at == crawl_at(0) and late[0].days_failing == 14
    assert late[0].evidence["rectify_by"] == deadline.isoformat()
    # deadline not passed yet (the newest crawl is on the deadline day)
    assert find_unrectified(history, {"a": "a-c0"}, crawl_at(2).date()) == []
    # fixed after the baseline: rectified
    fixed = records("a", [{"homepage_fresh": False}, {"homepage_fresh": False}, {}])
    assert find_unrectified(fixed, {"a": "a-c0"}, deadline) == []
    # reachability still needs two failed crawls in a row after the deadline
    once = records("a", [{"reachable": False}, {}, {"reachable": False}])
    assert find_unrectified(once, {"a": "a-c0"}, deadline) == []
    twice = records("a", [{"reachable": False}, {}, {"reachable": False}, {"reachable": False}])
    assert [r.check for r in find_unrectified(twice, {"a": "a-c0"}, deadline)] == ["reachable"]


def test_previous_vs_baseline():
    # failed at the baseline, recovered, failed again
    history = records("a", [{"error_link": False}, {}, {"error_link": False}])
    assert find_regressions(history, {"a": "a-c0"}, now_after(3)) == []
    prev = find_regressions(history, {"a": "a-c0"}, now_after(3), against="previous")
    assert [(r.check, r.baseline_kind, r.baseline_at) for r in prev] == [
        ("error_link", "previous", crawl_at(1))]
    # reported once, when the run is new; still listed against the baseline
    longer = records("a", [{}, {"error_link": False}, {"error_link": False}])
    assert find_regressions(longer, {}, now_after(3), against="previous") == []
    assert len(find_regressions(longer, {}, now_after(3))) == 1
    # reachable is new once it has failed twice
    reach = records("a", [{}, {"reachable": False}, {"reachable": False}])
    assert [r.check for r in find_regressions(reach, {}, now_after(3), against="previous")] == [
        "reachable"]
    # came back at the newest crawl
    back = records("a", [{}, {"error_link": False}, {}])
    assert find_regressions(back, {}, now_after(3), against="previous") == []
    again = find_regressions(back, {}, now_after(3), against="previous", include_recovered=True)
    assert [(r.check, r.recovered) for r in again] == [("error_link", True)]
    with pytest.raises(ValueError):
        find_regressions(back, {}, now_after(3), against="yesterday")


def test_first_crawl_fallback():
    history = records("a", [{}, {"columns_fresh": False}])
    found = find_regressions(history, {}, now_after(2))
    assert [(r.check, r.baseline_kind, r.baseline_at) for r in found] == [
        ("columns_fresh", "first_crawl", crawl_at(0))]
    # a baseline crawl that is not in the history also falls back
    assert find_regressions(history, {"a": "elsewhere"}, now_after(2))[0].baseline_kind == "first_crawl"
    # the first crawl failing: nothing to regress from
    assert find_regressions(records("a", [{"columns_fresh": False}] * 2), {}, now_after(2)) == []


def test_unknown_is_never_a_failure():
    # homepage down: content unknown; the unknown crawl neither breaks nor extends a run
    history = records("a", [{}, {"homepage_fresh": None}, {"homepage_fresh": None}])
    assert find_regressions(history, {}, now_after(3)) == []
    unknown_base = records("a", [{"homepage_fresh": None}, {"homepage_fresh": False}])
    assert find_regressions(unknown_base, {"a": "a-c0"}, now_after(2)) == []
    gap = records("a", [{}, {"reachable": False}, {"reachable": None}, {"reachable": False}])
    found = find_regressions(gap, {}, now_after(4))
    assert [(r.check, r.first_failed_at, r.failing_crawls) for r in found] == [
        ("reachable", crawl_at(1), 2)]


def test_closed_portals_since_now_and_consecutive():
    history = records("gone", [{}, {"homepage_fresh": False}])
    assert find_regressions(history, {}, now_after(2), portals=PORTALS) == []
    history = records("a", [{}, {"homepage_fresh": False}, {"homepage_fresh": False}])
    assert len(find_regressions(history, {}, now_after(3), since=crawl_at(1).date())) == 1
    assert find_regressions(history, {}, now_after(3), since=crawl_at(2).date()) == []
    assert find_regressions(history, {}, now_after(3), since=crawl_at(2)) == []
    # crawls after `now` are not seen (replays)
    assert find_regressions(history, {}, now_after(1)) == []
    assert find_regressions(history, {}, now_after(3), consecutive={"homepage_fresh": 3}) == []
    assert len(find_regressions(history, {}, now_after(3), consecutive={"homepage_fresh": 2})) == 1
    settings = MonitorSettings.load({"MONITOR_REGRESSION_CONSECUTIVE_REACHABLE": "3"}, environ={})
    assert default_consecutive(settings)["reachable"] == 3
    assert default_consecutive()["columns_fresh"] == 1


def test_overall_only_when_asked():
    history = records("a", [{}, {"overall": False}, {"overall": False}],
                      rules=("reachable", "overall"))
    assert find_regressions(history, {}, now_after(3)) == []
    found = find_regressions(history, {}, now_after(3), checks=["overall"])
    assert [r.check for r in found] == ["overall"]


def test_end_to_end_from_judged_states():
    """Five healthy crawls, then decay: the rules' verdicts feed the regression finder."""
    history, baselines = [], {"zz-city": "k0"}
    base = healthy()
    for i in range(7):
        now = crawl_at(i)
        state = replace(base, crawl_id=f"k{i}", homepage_newest=now - timedelta(days=1),
                        visits=visits(140, start=now - timedelta(days=6)))
        if i == 3:  # one bad probe day: 5 of 140 visits fail (3.6%), a warning at most
            state.visits = visits(140, 5, start=now - timedelta(days=6))
        if i >= 5:  # decay: homepage abandoned, error-report entry dropped
            state.homepage_newest = crawl_at(2).date()
            state.error_link = ErrorLink(found=False)
        history += [VerdictRecord.from_verdict("zz-city", f"k{i}", now, v)
                    for v in judge_all(state, now)]
    assert find_regressions(history[: 5 * 7], baselines, crawl_at(4)) == []
    found = find_regressions(history, baselines, crawl_at(6) + timedelta(hours=1))
    assert [r.check for r in found] == ["homepage_fresh", "error_link"]
    stale = found[0]
    assert stale.baseline_value == 1 and stale.current_value == 28
    assert stale.evidence["newest"] == crawl_at(2).date().isoformat()
    assert stale.first_failed_at == crawl_at(5) and stale.days_failing == 7
    assert found[1].evidence["failed"] == "missing" and found[1].first_failed_at == crawl_at(5)


def test_records_straight_from_sqlite_rows():
    row = VerdictRecord("a", "c1", "2024-09-01T09:00:00+08:00", "reachable", 0, "fail", "0.08",
                        '{"error": "timeout"}')
    assert (row.at, row.passed, row.evidence) == (T0, False, {"error": "timeout"})
    assert VerdictRecord("a", "c1", T0, "reachable", None, "unknown", None, None).evidence == {}
    assert VerdictRecord("a", "c1", T0, "reachable", 1).passed is True


def _reachable(portal: str, i: int, level: str, **evidence) -> VerdictRecord:
    passed = {"ok": True, "warn": True, "fail": False, "unknown": None}[level]
    return VerdictRecord(portal, f"{portal}-c{i}", crawl_at(i), "reachable", passed, level,
                         value=evidence.pop("value", None), evidence=evidence)


def test_up_at_the_check_offline_right_after_is_a_regression():
    """The notice's worst case: the baseline saw three visits, all fine (unknown for want of
    evidence, nothing failed); then every visit failed. That is a regression, and the row says the
    baseline was unknown, not ok."""
    history = [_reachable("a", 0, "unknown", reason="too_few_visits", none_failed=True, value=0.0),
               _reachable("a", 1, "fail", value=1.0), _reachable("a", 2, "fail", value=0.88)]
    [found] = find_regressions(history, {"a": "a-c0"}, now_after(3), portals=PORTALS)
    assert (found.check, found.baseline_level, found.baseline_value, found.current_value) == (
        "reachable", "unknown", 0.0, 0.88)
    assert found.as_row()["baseline_level"] == "unknown"
    # the same with failures already at the baseline: nothing to regress from
    dirty = [_reachable("a", 0, "unknown", reason="share_uncertain", none_failed=False, value=0.05),
             _reachable("a", 1, "fail"), _reachable("a", 2, "fail")]
    assert find_regressions(dirty, {"a": "a-c0"}, now_after(3), portals=PORTALS) == []
    # ok and warn baselines regress as before, and say so
    for level in ("ok", "warn"):
        history = [_reachable("a", 0, level), _reachable("a", 1, "fail"), _reachable("a", 2, "fail")]
        [found] = find_regressions(history, {"a": "a-c0"}, now_after(3), portals=PORTALS)
        assert found.baseline_level == level
    # newly regressed against the previous crawl, too
    history = [_reachable("a", 0, "unknown", none_failed=True), _reachable("a", 1, "fail"),
               _reachable("a", 2, "fail")]
    assert [r.check for r in find_regressions(history, {}, now_after(3), against="previous")] == ["reachable"]
