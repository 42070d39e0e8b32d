"""Title normalisation, release ids and the 24-hour rule (monitor.match)."""

from datetime import date, datetime, timezone

import pytest

from monitor.match import canonical_url, lag_hours, normalize_title, release_id_for_url, within_24h
from monitor.match.normalize import analyze, number_tokens, to_simplified

BASE = "国务院关于进一步优化营商环境降低市场主体制度性交易成本的意见"


@pytest.mark.parametrize("title", [
    BASE,
    f"【国务院】{BASE}",
    f"转载：{BASE}",
    f"图解：{BASE}",
    f"视频丨{BASE}",
    f"{BASE}（全文）",
    f"{BASE}(图)",
    f"{BASE}—中国政府网",
    f"{BASE}-新华网",
    f"{BASE}_中华人民共和国中央人民政府",
    f"【转载】{BASE}（全文）—中国政府网",
    f"{BASE}（国发〔2026〕5号）",
    f"{BASE} 2026-03-01",
    f"{BASE}[03-01]",
    f"2026-03-01 {BASE}",
    "國務院關於進一步優化營商環境降低市場主體制度性交易成本的意見",
    "国务院关于进一步优化营商环境降低市场主体制度性交易成本的意见".replace("营商", "营 商"),
    "国务院关于进一步优化营商环境降低市场主体制度性交易成本的意见\u3000",
    "国务院关于&nbsp;进一步优化营商环境降低市场主体制度性交易成本的意见",
])
def test_portal_decorations_normalise_away(title):
    assert normalize_title(title) == BASE


def test_width_quotes_and_case():
    assert normalize_title("国务院关于印发《“十四五”数字经济发展规划》的通知") == "国务院关于印发十四五数字经济发展规划的通知"
    assert normalize_title("国务院关于印发〈“十四五”数字经济发展规划〉的通知") == "国务院关于印发十四五数字经济发展规划的通知"
    assert normalize_title("国务院关于推进５Ｇ规模化应用的意见") == "国务院关于推进5g规模化应用的意见"


def test_traditional_variants():
    assert to_simplified("基層醫療衞生服務體系") == "基层医疗卫生服务体系"  # 衞: Hong Kong variant
    assert normalize_title("著力提升") == normalize_title("着力提升")
    assert to_simplified("国务院关于X的通知") == "国务院关于X的通知"


@pytest.mark.parametrize("title", [f"{BASE[:16]}…", f"{BASE[:16]}...", f"{BASE[:16]}……", f"{BASE[:16]}⋯",
                                   f"转载：{BASE[:16]}…"])
def test_truncation_is_recorded(title):
    norm = analyze(title)
    assert norm.truncated and norm.text == BASE[:16]


def test_main_title_head():
    assert analyze("李强主持召开国务院常务会议 研究部署X").head == "李强主持召开国务院常务会议"
    assert analyze(BASE).head == ""


def test_number_tokens():
    assert number_tokens("2026年第一季度") == ("2026", "第1")
    assert number_tokens("2026年第1季度") == number_tokens("二〇二六年第一季度")
    assert number_tokens("2026年前三季度") != number_tokens("2026年第三季度")
    assert number_tokens("十四五") != number_tokens("十五五")
    assert number_tokens("第二十三次") == ("第23",)
    assert number_tokens("一百零五") == ("105",)


def test_empty_titles():
    assert normalize_title("") == "" and normalize_title(None) == ""
    assert normalize_title("【国务院】") == ""


@pytest.mark.parametrize("url", [
    "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
    "http://www.gov.cn/zhengce/content/202411/content_6986382.htm",
    "http://gov.cn/zhengce/content/202411/content_6986382.htm",
    "https://WWW.GOV.CN/zhengce/content/202411/content_6986382.htm#top",
    "https://www.gov.cn/zhengce/content/202411/content_6986382.htm?from=singlemessage",
    "//www.gov.cn/yaowen/liebiao/202411/content_6986382.htm",
])
def test_release_id_for_gov_cn(url):
    assert release_id_for_url(url) == "govcn-6986382"


def test_release_id_for_other_urls_is_stable():
    a = release_id_for_url("https://www.gov.cn/zhengce/zuixin/index.html")
    assert a == release_id_for_url("http://gov.cn/zhengce/zuixin/")
    assert a.startswith("url-") and len(a) == 20
    assert a != release_id_for_url("https://www.gov.cn/yaowen/")
    assert canonical_url("https://www.gov.cn:443/a/?utm_source=x&b=2&a=1") == "gov.cn/a?a=1&b=2"


def test_lag_hours():
    assert lag_hours(datetime(2026, 3, 2, 10), datetime(2026, 3, 1, 10)) == 24.0
    assert lag_hours(datetime(2026, 3, 1, 2, tzinfo=timezone.utc), datetime(2026, 3, 1, 9)) == 1.0  # naive = Beijing
    assert lag_hours(date(2026, 3, 2), datetime(2026, 3, 1, 10)) is None
    assert lag_hours(datetime(2026, 3, 2, 10), date(2026, 3, 1)) is None
    assert lag_hours(None, datetime(2026, 3, 1, 10)) is None


def test_within_24h():
    rel = datetime(2026, 3, 1, 22)
    assert within_24h(datetime(2026, 3, 2, 21, 59), rel) is True
    assert within_24h(datetime(2026, 3, 2, 22, 1), rel) is False
    assert within_24h(datetime(2026, 3, 1, 20), rel) is True  # dated before: not late
    # date only: same or next calendar day in Beijing
    assert within_24h(date(2026, 3, 1), rel) is True
    assert within_24h(date(2026, 3, 2), rel) is True
    assert within_24h(date(2026, 3, 3), rel) is False
    # 2026-03-01 17:00 UTC is 2026-03-02 01:00 in Beijing: the next day is the 3rd
    assert within_24h(date(2026, 3, 3), datetime(2026, 3, 1, 17, tzinfo=timezone.utc)) is True
    assert within_24h(None, rel) is None and within_24h(date(2026, 3, 1), None) is None


@pytest.mark.parametrize("url, canon", [
    ("https://www.gov.cn/zhengce/content/202411/content_6986382.htm", "gov.cn/zhengce/content/202411/content_6986382.htm"),
    ("HTTP://WWW.Gov.CN./a//b/Index.HTML", "gov.cn/a/b"),
    ("gov.cn/a/b/", "gov.cn/a/b"),
    ("//www.gov.cn", "gov.cn"),
    ("https://x.gov.cn/a/default.aspx", "x.gov.cn/a"),
    ("https://x.gov.cn:8080/a", "x.gov.cn/a"),
    ("https://x.gov.cn/a?t=1&b=2#top", "x.gov.cn/a?b=2"),
    ("https://x.gov.cn/%E4%B8%AD", "x.gov.cn/%E4%B8%AD"),
    ("https://user@x.gov.cn/a", "x.gov.cn/a"),
])
def test_canonical_url_plain_and_general_paths_agree(url, canon):
    assert canonical_url(url) == canon


def test_sort_time_is_the_beijing_timestamp():
    from monitor.match.timing import SHANGHAI, sort_time

    for value in (datetime(2026, 3, 1, 10, 30, 15, 250), datetime(1991, 7, 1, 12), datetime(1992, 1, 1)):
        assert sort_time(value) == value.replace(tzinfo=SHANGHAI).timestamp()
    assert sort_time(date(2026, 3, 1)) == datetime(2026, 3, 1, 12, tzinfo=SHANGHAI).timestamp()
    assert sort_time(datetime(2026, 3, 1, 2, tzinfo=timezone.utc)) == datetime(2026, 3, 1, 10, tzinfo=SHANGHAI).timestamp()
