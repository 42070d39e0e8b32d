"""The rules of issue 12 beyond interaction and harmful_content (tested beside their detectors):
forged dates (and the honest newest date), privacy, copied guides, dead links, and how their
verdicts enter the overall 合格/不合格."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from monitor.clock import SHANGHAI
from monitor.extract.guides import GuidePair
from monitor.extract.privacy import scan_text
from monitor.rules import FAIL, PASS, RULES, LinkCheck, PortalState, build_rules, judge_all
from monitor.rules.redating import Sighting, honest_newest, redated_entries, redated_lists

NOW = datetime(2024, 10, 20, 12, 0, tzinfo=SHANGHAI)
D = NOW.date()


def day(n: int) -> date:
    return D - timedelta(days=n)


def judge(rule_id: str, state: PortalState, **settings):
    return RULES[rule_id].from_settings(settings).judge(state, NOW)


def state(**changes) -> PortalState:
    return PortalState("p", homepage_ok=True, crawl_id="c1", homepage_url="https://www.a.gov.cn/", **changes)


# -- forged dates ----------------------------------------------------------------------------------

def honest_list(days_crawled: int = 30) -> list[Sighting]:
    """A column crawled daily for a month, one new item every three days, dates never touched."""
    return [Sighting(f"新闻{i}", f"https://www.a.gov.cn/{i}.html", day(3 * i), day(3 * i), D)
            for i in range(days_crawled // 3)]


def test_entry_moved_forward_is_flagged():
    rows = honest_list() + [
        Sighting("旧通知", "https://www.a.gov.cn/old.html", day(60), day(60), day(1)),
        Sighting("旧通知", "https://www.a.gov.cn/old.html", D, D, D)]
    found = redated_entries(rows)
    assert [(r.title, r.before, r.after) for r in found] == [("旧通知", day(60), D)]
    assert honest_newest(rows) == day(0)  # the honest list's newest item is today's
    assert honest_newest(rows[-2:]) == day(60)  # the re-dated entry counts with its first date


def test_first_published_column_is_read_too():
    rows = [Sighting("旧通知", "u", D, day(40), D, first_published=day(40))]
    assert [(r.before, r.after) for r in redated_entries(rows)] == [(day(40), D)]
    assert honest_newest(rows) == day(40)


def test_whole_list_redated_to_the_crawl_day():
    days = [day(2), day(1), D]
    rows = []
    for i in range(10):  # seen two days ago with their real dates, today all dated today
        rows.append(Sighting(f"条目{i}", f"u{i}", day(100 + i), day(2), day(1)))
        rows.append(Sighting(f"条目{i}", f"u{i}", D, D, D))
    found = redated_lists(rows, days)
    assert [(r.day, r.entries, r.dated_that_day, r.seen_before) for r in found] == [(D, 10, 10, 10)]
    assert honest_newest(rows, as_of=D) == day(100)
    # a busy day of genuinely new items is not a re-dating
    new = [Sighting(f"新{i}", f"n{i}", D, D, D) for i in range(10)]
    assert redated_lists(new, days) == []


def test_forged_dates_rule():
    assert judge("forged_dates", state()).evidence["reason"] == "not_checked"
    single = state(sightings={"l": [Sighting("a", "u", D, D, D)]}, crawl_days=[D])
    assert judge("forged_dates", single).evidence["reason"] == "single_crawl"
    clean = state(sightings={"l": honest_list()}, crawl_days=[day(30), D])
    assert judge("forged_dates", clean).level == "ok"
    rows = [Sighting("旧通知", "u", day(60), day(60), day(1)), Sighting("旧通知", "u", D, D, D)]
    forged = judge("forged_dates", state(sightings={"l": rows}, crawl_days=[day(60), D]))
    assert (forged.passed, forged.evidence["redated_entries"]) == (False, 1)
    assert forged.evidence["entries"][0]["after"] == D.isoformat()
    old = [Sighting("旧通知", "u", day(300), day(300), day(200)), Sighting("旧通知", "u", day(200), day(200), D)]
    assert judge("forged_dates", state(sightings={"l": old}, crawl_days=[day(300), D])).passed is True


# -- privacy ---------------------------------------------------------------------------------------

def test_privacy_rule():
    report = scan_text("身份证号 11010519491231002X；联系电话：13812345678", NOW, url="https://www.a.gov.cn/x")
    verdict = judge("privacy", state(privacy=list(report.findings)))
    assert (verdict.passed, verdict.value, verdict.evidence["by_kind"]) == (False, 1, {"id_card": 1})
    assert "11010519491231002X" not in json.dumps(verdict.evidence)
    assert judge("privacy", state(privacy=[])).level == "ok"
    assert judge("privacy", state()).passed is None


# -- copied guides ---------------------------------------------------------------------------------

def pair(copy="p", source="q", similarity=0.95, mentions=3):
    return GuidePair("https://www.a.gov.cn/g", copy, "https://www.b.gov.cn/g", source, similarity,
                     ("乙县政务服务中心",), mentions)


def test_copied_guides_rule():
    verdict = judge("copied_guides", state(guide_pairs=[pair()]))
    assert (verdict.passed, verdict.value) == (False, 1)
    assert verdict.evidence["pairs"][0]["foreign_names"] == ["乙县政务服务中心"]
    source = judge("copied_guides", state(guide_pairs=[pair(copy="other", source="p")]))
    assert (source.passed, source.evidence["copied_by"]) == (True, 1)  # being copied is no fault
    assert judge("copied_guides", state(guide_pairs=[pair(similarity=0.69)])).passed is True
    assert judge("copied_guides", state(guide_pairs=[pair()]), MONITOR_GUIDES_MIN_FOREIGN="4").passed
    assert judge("copied_guides", state()).passed is None


# -- dead links ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dead,level", [(0, "ok"), (1, "warn"), (4, "warn"), (5, "fail")])
def test_dead_links_thresholds(dead, level):
    checks = [LinkCheck(f"https://www.a.gov.cn/{i}", 200) for i in range(30)]
    kinds = [LinkCheck("https://www.a.gov.cn/gone", 404), LinkCheck("http://old.a.gov.cn/", error="dns"),
             LinkCheck("https://www.a.gov.cn/slow", error="timeout"), LinkCheck("https://www.a.gov.cn/x", 410),
             LinkCheck("http://b.gov.cn/", error="refused")]
    verdict = judge("dead_links", state(link_checks=checks + kinds[:dead]))
    assert (verdict.level, verdict.value) == (level, dead)


def test_dead_links_what_counts():
    checks = [LinkCheck("a", 500), LinkCheck("b", 403), LinkCheck("c", error="tls"), LinkCheck("d", 404)]
    verdict = judge("dead_links", state(link_checks=checks))
    assert verdict.evidence["by_reason"] == {"http_404": 1}
    assert judge("dead_links", state(link_checks=checks), MONITOR_DEAD_LINKS_STATUSES="404,500").value == 2
    assert judge("dead_links", state(link_checks=[])).passed is None
    assert judge("dead_links", state()).passed is None


# -- overall ---------------------------------------------------------------------------------------

def test_unknown_detector_vetoes_do_not_hold_back_pass_but_failures_fail():
    from tests.test_rules import healthy
    assert judge_all(healthy(), NOW)[-1].value == PASS
    older = healthy(boards=None, privacy=None, harmful=None, sightings=None, guide_pairs=None,
                    link_checks=None)
    overall = judge_all(older, NOW)[-1]
    assert (overall.value, overall.evidence["unknown"]) == (PASS, [])
    assert overall.evidence["unjudged"] == ["interaction", "privacy", "harmful_content", "forged_dates"]
    no_board = judge_all(healthy(boards=[]), NOW)
    assert {v.rule: v.evidence.get("reason") for v in no_board}["interaction"] == "no_board"
    assert no_board[-1].value == PASS
    leak = scan_text("身份证号 11010519491231002X", NOW, url="u").findings
    failed = judge_all(healthy(privacy=list(leak)), NOW)[-1]
    assert (failed.value, failed.evidence["failed"]) == (FAIL, ["privacy"])
    # copied guides and dead links are findings of the notice, not vetoes
    assert judge_all(healthy(guide_pairs=[pair(copy="zz-city")]), NOW)[-1].value == PASS
    assert build_rules()["overall"].rules[3].id == "interaction"


def test_every_new_verdict_is_json():
    from tests.test_rules import healthy
    for verdict in judge_all(healthy(), NOW):
        json.dumps(verdict.evidence, ensure_ascii=False)
