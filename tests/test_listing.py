"""List entries: ul/li, tables, [date] spans, Hanweb datastore, month-day years, navigation skipped."""

from datetime import date, datetime

from monitor.extract.column import classify_column, extract_column, load_column_types
from monitor.extract.listing import Entry, extract_entries
from monitor.clock import SHANGHAI
from monitor.extract.page import Page
from monitor.extract.site import extract_site

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)


def page(html, url="http://www.example.gov.cn/col/col1/index.html"):
    return Page(html=html, url=url, now=NOW)


def test_trs_list_and_nav_skipped():
    html = """<html><body><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
    <li><a href="/hdjl/">互动交流栏目</a></li></ul>
    <ul class="list"><li><a href="./202611/t20261120_1.html" title="关于开展安全检查的通知">关于开展安全检查的通知</a>
    <span>2026-11-20</span></li><li><a href="./202611/t20261101_2.html">市政府召开常务会议</a><span>[2026-11-01]</span></li>
    </ul></body></html>"""
    entries = extract_entries(page(html))
    assert entries == [
        Entry("关于开展安全检查的通知", "http://www.example.gov.cn/col/col1/202611/t20261120_1.html", date(2026, 11, 20)),
        Entry("市政府召开常务会议", "http://www.example.gov.cn/col/col1/202611/t20261101_2.html", date(2026, 11, 1)),
    ]


def test_hanweb_datastore():
    html = """<html><body><div id="1"><script type="text/xml"><datastore><recordset>
    <record><![CDATA[<li><a href="/art/2026/11/2/art_1_2.html" title="通知一">关于做好冬季供暖工作的通知</a>
    <span>2026-11-02</span></li>]]></record>
    <record><![CDATA[<li><a href="/art/2026/10/9/art_1_1.html">全省安全生产工作会议召开</a><span>10-09</span></li>]]></record>
    </recordset></datastore></script></div></body></html>"""
    entries = extract_entries(page(html))
    assert [(e.title, e.url, e.published) for e in entries] == [
        ("关于做好冬季供暖工作的通知", "http://www.example.gov.cn/art/2026/11/2/art_1_2.html", date(2026, 11, 2)),
        ("全省安全生产工作会议召开", "http://www.example.gov.cn/art/2026/10/9/art_1_1.html", date(2026, 10, 9)),
    ]


def test_table_uses_publication_column_and_month_day_never_future():
    html = """<html><body><table><tr><th>名称</th><th>成文日期</th><th>发布日期</th></tr>
    <tr><td><a href="a.html">关于印发实施方案的通知</a></td><td>2026-01-02</td><td>2026-01-05</td></tr></table>
    <ul><li><a href="b.html">全市工作会议召开</a><span>12-30</span></li>
    <li><a href="c.html">区政府常务会议召开</a><span>11-28</span></li></ul></body></html>"""
    got = [(e.title, e.published) for e in extract_entries(page(html))]
    assert got == [("关于印发实施方案的通知", date(2026, 1, 5)), ("全市工作会议召开", date(2025, 12, 30)),
                   ("区政府常务会议召开", date(2026, 11, 28))]


def test_govcn_json_list():
    body = '\ufeff[{"TITLE": "国务院关于印发方案的通知", "URL": "/zhengce/content/202611/content_1.htm",' \
           ' "DOCRELPUBTIME": "2026-11-20"}]'.encode("utf-8")
    entries = extract_entries(Page.from_bytes(body, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", NOW))
    assert entries == [Entry("国务院关于印发方案的通知", "https://www.gov.cn/zhengce/content/202611/content_1.htm",
                             date(2026, 11, 20))]


def test_column_types_table():
    assert load_column_types() is load_column_types()
    assert classify_column("工作动态") == ("news", 14)
    assert classify_column("国务院要闻") == ("news", 14)
    assert classify_column("通知公告") == ("notice", 183)
    assert classify_column("政策文件") == ("policy", 183)
    assert classify_column("人事信息") == ("personnel", 365)
    assert classify_column("规划计划") == ("plan", 365)
    assert classify_column("统计信息") == ("stats", 365)
    assert classify_column("信息公开目录") == ("disclosure", 365)
    assert classify_column("便民服务") == (None, None)
    assert classify_column(None) == (None, None)


def test_column_table_is_editable(tmp_path):
    table = tmp_path / "types.csv"
    table.write_text("pattern,type,max_age_days\n便民,service,30\n", encoding="utf-8")
    assert classify_column("便民服务", table) == ("service", 30)


def test_column_name_sources_and_blank():
    meta = '<html><head><meta name="ColumnName" content="通知公告"><title>x</title></head><body></body></html>'
    info = extract_column(page(meta), [])
    assert (info.name, info.type, info.max_age_days, info.blank) == ("通知公告", "notice", 183, True)
    crumb = ('<html><head><title>工作动态_某市人民政府</title></head><body><div class="position">当前位置：'
             '<a href="/">首页</a> &gt; <a href="/zw/">政务</a> &gt; <a href="/zw/gzdt/">工作动态</a></div>'
             '<ul><li><a href="1.html">某某会议召开</a><span>2026-11-01</span></li></ul></body></html>')
    p = page(crumb)
    info = extract_column(p, extract_entries(p))
    assert (info.name, info.type, info.blank) == ("工作动态", "news", False)
    title_only = '<html><head><title>人事信息_某市人民政府</title></head><body><p>暂无信息</p></body></html>'
    info = extract_column(page(title_only), [Entry("x", "y", None)])
    assert (info.name, info.type, info.blank) == ("人事信息", "personnel", True)


def test_site_facts():
    html = ('<html><head><meta name="SiteName" content="某市人民政府"><meta name="SiteIDCode" content="">'
            '</head><body><div class="footer">网站标识码：4401000004</div></body></html>')
    assert extract_site(page(html)) == extract_site(page(html)).__class__("某市人民政府", "4401000004")
    html = '<html><head><title>首页_国家民委</title></head><body><span>网站标识码</span><span>bm08000014</span></body></html>'
    assert extract_site(page(html)).site_code == "bm08000014"
