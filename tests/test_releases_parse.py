"""Parsing of www.gov.cn feeds, lists and release pages (monitor.releases), on recorded bytes."""

from __future__ import annotations

from datetime import date, datetime

from monitor.clock import SHANGHAI
from monitor.releases import is_release_url, parse_feed, parse_list_html, parse_release_page, parse_time

BASE = "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"

# the shape of the live feed (2026-09), after a UTF-8 BOM, with a relative and an absolute URL
FEED = ("\ufeff" + """[
 {"TITLE": "市场监督管理所条例", "SUB_TITLE": "",
  "URL": "https://www.gov.cn/zhengce/content/202609/content_7080735.htm", "DOCRELPUBTIME": "2026-09-11"},
 {"TITLE": "国务院办公厅关于加强中小企业回款难问题治理有关工作的通知", "SUB_TITLE": "",
  "URL": "./../content/202609/content_7080627.htm", "DOCRELPUBTIME": "2026-09-10 18:30:00"},
 {"TITLE": "", "URL": "/zhengce/content/202609/content_7080001.htm", "DOCRELPUBTIME": "2026-09-09"},
 {"TITLE": "重复", "URL": "https://www.gov.cn/zhengce/content/202609/content_7080735.htm", "DOCRELPUBTIME": "2026-09-11"}
]""").encode("utf-8")

PUSHINFO = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>国务院信息</title></head><body>
<div class="list"><ul>
<li><a href="../../zhengce/content/202611/content_7090001.htm" target="_blank">国务院关于进一步优化营商环境的意见</a><span>2026-11-20</span></li>
<li><a href="https://www.gov.cn/yaowen/liebiao/202611/content_7090002.htm">李强主持召开国务院常务会议</a> <span class="date">[2026-11-21]</span></li>
<li><a href="/zhengce/index.htm">更多政策</a></li>
</ul></div>
<div class="inline"><a href="/zhengce/content/202611/content_7090003.htm">甲</a> 2026年11月18日
<a href="/zhengce/content/202611/content_7090004.htm">乙</a> 2026年11月19日</div>
</body></html>""".encode("utf-8")

RELEASE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="firstpublishedtime" content="2026-09-24-10:00:00">
<meta name="lastmodifiedtime" content="2026-09-25-08:00:00">
<meta name="ArticleTitle" content="国务院关于进一步优化营商环境的意见">
</head><body><h1>国务院关于进一步优化营商环境的意见</h1>
<div class="pages-date">2026-09-24 11:30<span class="font">来源： 新华社</span></div></body></html>""".encode("utf-8")

RELEASE_DATE_DIV = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>
<body><div class="pages-date">2026-11-20 18:02 来源：中国政府网</div><h1>标题</h1></body></html>""".encode("gb2312")


def test_feed_with_bom_relative_and_absolute_urls():
    rows = parse_feed(FEED, BASE)
    assert [r.url for r in rows] == [
        "https://www.gov.cn/zhengce/content/202609/content_7080735.htm",
        "https://www.gov.cn/zhengce/content/202609/content_7080627.htm",
    ]
    assert rows[0].title == "市场监督管理所条例" and rows[0].published == date(2026, 9, 11)
    assert rows[1].published == datetime(2026, 9, 10, 18, 30, tzinfo=SHANGHAI)


def test_feed_garbage_is_empty_never_raises():
    for body in (b"", b"<html>404</html>", b"\xff\xfe\x00", b'{"a": 1}', b"[1, 2, null]", b"\xef\xbb\xbf"):
        assert parse_feed(body, BASE) == []
    wrapped = parse_feed('{"data": [{"TITLE": "x", "URL": "/a/content_123456.htm"}]}'.encode(), BASE)
    assert wrapped[0].url == "https://www.gov.cn/a/content_123456.htm" and wrapped[0].published is None


def test_list_html_links_and_dates():
    rows = parse_list_html(PUSHINFO, "https://www.gov.cn/pushinfo/v150203/index.htm")
    assert [(r.title, r.url, r.published) for r in rows] == [
        ("国务院关于进一步优化营商环境的意见", "https://www.gov.cn/zhengce/content/202611/content_7090001.htm",
         date(2026, 11, 20)),
        ("李强主持召开国务院常务会议", "https://www.gov.cn/yaowen/liebiao/202611/content_7090002.htm",
         date(2026, 11, 21)),
        ("甲", "https://www.gov.cn/zhengce/content/202611/content_7090003.htm", date(2026, 11, 18)),
        ("乙", "https://www.gov.cn/zhengce/content/202611/content_7090004.htm", date(2026, 11, 19)),
    ]
    assert parse_list_html(b"", "https://www.gov.cn/") == []


def test_release_page_firstpublishedtime_wins():
    page = parse_release_page(RELEASE, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
    assert page.published == datetime(2026, 9, 24, 10, 0, tzinfo=SHANGHAI)
    assert page.title == "国务院关于进一步优化营商环境的意见"
    assert page.source == "新华社"


def test_release_page_pages_date_in_gb2312():
    page = parse_release_page(RELEASE_DATE_DIV, "https://www.gov.cn/x/content_1234567.htm")
    assert page.published == datetime(2026, 11, 20, 18, 2, tzinfo=SHANGHAI)
    assert page.source == "中国政府网" and page.title == "标题"
    assert parse_release_page(b"", "").published is None
    assert parse_release_page(b"<html><body>nothing</body></html>").published is None


def test_parse_time_forms():
    assert parse_time("2026-09-24-10:00:00") == datetime(2026, 9, 24, 10, tzinfo=SHANGHAI)
    assert parse_time("2026年09月24日 10:05") == datetime(2026, 9, 24, 10, 5, tzinfo=SHANGHAI)
    assert parse_time("2026/9/4") == date(2026, 9, 4)
    assert parse_time("2026-09-24T02:00:00Z") == datetime(2026, 9, 24, 10, tzinfo=SHANGHAI)
    assert parse_time("2026-02-30") is None
    assert parse_time("yesterday") is None and parse_time(None) is None


def test_is_release_url():
    assert is_release_url("https://www.gov.cn/zhengce/content/2017-02/07/content_5166124.htm")
    assert not is_release_url("https://www.news.cn/zhengce/content_5166124.htm")
    assert not is_release_url("https://www.gov.cn/zhengce/index.htm")
