"""Harmful and injected content: the labelled gate (every planted case found, nothing on the clean
pages), the term list, hidden styles, and the harmful_content rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.extract.harmful import (HarmfulFinding, failing, find_harmful, find_terms, is_hidden_style,
                                     is_outbound, load_terms, page_scores)
from monitor.extract.page import Page
from monitor.rules import PortalState
from monitor.rules.harmful_content import HarmfulContent

HERE = Path(__file__).parent / "fixtures" / "harmful"
LABELS = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))


def _findings(name: str) -> list[HarmfulFinding]:
    return find_harmful(Page.from_bytes((HERE / "pages" / name).read_bytes(), url=LABELS[name]["url"]))


@pytest.mark.parametrize("name", sorted(LABELS))
def test_labelled_pages(name):
    label = LABELS[name]
    findings = _findings(name)
    for expected in label["findings"]:
        match = [f for f in findings if f.kind == expected["kind"]
                 and f.term == expected.get("term", f.term)
                 and f.counted == expected.get("counted", f.counted)
                 and f.links >= expected.get("min_links", 0)]
        assert match, (name, expected)
    assert bool(failing(findings)) == label["fail"], [f.to_json() for f in findings]
    verdict = HarmfulContent.from_settings({}).judge(PortalState("p", homepage_ok=True, harmful=findings), None)
    assert verdict.passed is (not label["fail"])


def test_floor_every_planted_case_found_no_finding_on_clean_pages():
    planted = [n for n, label in LABELS.items() if label["fail"]]
    clean = [n for n, label in LABELS.items() if not label["fail"]]
    assert len(planted) == 5 and len(clean) == 3
    assert all(failing(_findings(n)) for n in planted)
    assert not any(failing(_findings(n)) for n in clean)
    assert not any(f.kind in ("hidden_links", "spam_link") for n in clean for f in _findings(n))


def test_evidence_is_a_short_snippet_and_a_place():
    for name in LABELS:
        for f in _findings(name):
            assert len(f.snippet) <= 80 and f.where and f.url
            json.dumps(f.to_json())
            assert HarmfulFinding.from_json(f.to_json()) == f


def test_terms_list_and_counter_words():
    terms = load_terms()
    assert {t.category for t in terms} == {"gambling", "porn", "spam", "counter"}
    assert all(t.term == t.term.lower() for t in terms)
    found = find_terms("BET365 官网")
    assert [(f.term, f.counted) for f in found] == [("bet365", True)]
    found = find_terms("警方查处一起六合彩案件")
    assert [(f.term, f.counted) for f in found] == [("六合彩", False)]
    assert [f.term for f in find_terms("北京赛车PK10开奖")] == ["北京赛车pk10"]  # the longer term only
    scores = page_scores(find_terms("注册送彩金 真人荷官", url="a") + find_terms("真人荷官", url="b"))
    assert scores == {"a": 18, "b": 8}


@pytest.mark.parametrize("style,hidden", [
    ("display:none", True), ("DISPLAY: NONE;", True), ("visibility:hidden", True),
    ("position:absolute;left:-9999px", True), ("text-indent:-5000px", True),
    ("height:0;overflow:hidden", True), ("height:1px; overflow: hidden", True), ("font-size:0", True),
    ("display:block", False), ("height:10px;overflow:hidden", False), ("left:-10px", False), ("", False)])
def test_hidden_styles(style, hidden):
    assert is_hidden_style(style) is hidden


def test_outbound_hosts():
    assert is_outbound("https://www.xpj.com/", "www.a.gov.cn") == "www.xpj.com"
    assert is_outbound("https://www.henan.gov.cn/", "www.a.gov.cn") is None
    assert is_outbound("http://a.gov.cn/x", "www.a.gov.cn") is None
    assert is_outbound("http://www.people.com.cn/", "www.a.gov.cn") is None  # trusted media
    assert is_outbound("https://fleet.test/", "www.a.gov.cn", allow_hosts=("fleet.test",)) is None
    assert is_outbound("javascript:void(0)", "www.a.gov.cn") is None


def test_rule_thresholds_and_unknown():
    rule = HarmfulContent.from_settings({"MONITOR_HARMFUL_HIDDEN_MIN_LINKS": "9"})
    farm = _findings("offscreen-link-farm.html")
    only_hidden = [f for f in farm if f.kind == "hidden_links"]
    assert rule.judge(PortalState("p", homepage_ok=True, harmful=only_hidden), None).passed is True
    assert HarmfulContent.from_settings({}).judge(PortalState("p", homepage_ok=True), None).passed is None


@pytest.mark.parametrize("html", ["", "<html>", "\x00", "<style>.a{display:none</style><div class=a>",
                                  "<a href='http://[::1'>x</a>" * 3])
def test_bad_pages_never_raise(html):
    assert isinstance(find_harmful(Page(html, url="https://x.gov.cn/")), list)


def test_traditional_characters_are_read_as_simplified():
    html = "<html><head><title>博彩娛樂城-百家樂-六合彩-老虎機-某縣人民政府</title></head><body><p>正文</p></body></html>"
    findings = find_harmful(Page.from_bytes(html.encode("utf-8"), url="https://www.x.gov.cn/"))
    assert failing(findings) and {"娱乐城", "百家乐"} <= {f.term for f in findings}
