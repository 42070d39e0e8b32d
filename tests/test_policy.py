"""Unit tests for the State Council policy column detector (``monitor.extract.policy``)."""

from __future__ import annotations

import pytest

from monitor.extract.page import Page
from monitor.extract.policy import find_policy_column, is_policy_title

FILLER = "".join(f'<li><a href="/xw/t{i}.html">本市第{i}条工作动态新闻标题示例</a></li>' for i in range(30))
SC = "".join(f'<li><a href="http://www.gov.cn/zhengce/content/202405/content_6986{i:03d}.htm">'
             f"国务院关于第{i}项工作的通知</a></li>" for i in range(4))


def page(top: str = "", bottom: str = "") -> Page:
    return Page(html=f'<html><body><div class="header">市政府</div>{top}<ul class="news">{FILLER}</ul>'
                     f'<ul>{FILLER}</ul>{bottom}<div class="footer">主办：市政府办公室</div></body></html>',
                url="http://www.example.gov.cn/")


@pytest.mark.parametrize(("text", "expected"), [
    ("国务院信息", True), ("【国务院要闻】", True), ("国务院文件 更多>>", True), ("国务院常务会议", True),
    ("国务要闻", True), ("国务院政策解读", True),
    ("国务院关于印发《推动大规模设备更新方案》的通知", False), ("市政府传达学习国务院常务会议精神", False),
    ("国务院办公厅", False), ("中国政府网", False), ("国务院部门网站", False), ("", False),
])
def test_title(text, expected):
    assert is_policy_title(text) is expected


def test_heading_block_first_screen():
    result = find_policy_column(page(top=f'<div class="box"><h3>国务院信息</h3><ul>{SC}</ul></div>'))
    assert result.to_json() == {"found": True, "title": "国务院信息", "url": None, "items": 4, "position": "first_screen"}


def test_block_below():
    result = find_policy_column(page(bottom=f'<div class="box"><div class="tit"><span>国务院要闻</span>'
                                            f'<a href="/gwyyw/">更多</a></div><ul>{SC}</ul></div>'))
    assert (result.position, result.items, result.url) == ("below", 4, "http://www.example.gov.cn/gwyyw/")


def test_nav_link():
    result = find_policy_column(page(top='<div id="nav"><ul><li><a href="/">首页</a></li>'
                                         '<li><a href="/gwyxx/">国务院信息</a></li><li><a href="/zwgk/">政务公开</a></li></ul></div>'))
    assert (result.found, result.position, result.items) == (True, "nav", 0)


def test_pushinfo_iframe():
    result = find_policy_column(page(top='<iframe src="http://www.gov.cn/pushinfo/v150203/index.htm"></iframe>'))
    assert (result.found, result.url, result.items) == (
        True, "http://www.gov.cn/pushinfo/v150203/index.htm", 0)


def test_prefers_prominent_with_items():
    result = find_policy_column(page(top='<div id="nav"><a href="/gwyxx/">国务院信息</a></div>'
                                         f'<div><h3>国务院文件</h3><ul>{SC}</ul></div>',
                                     bottom='<div class="footer"><ul><li><a href="/a/">国务要闻</a></li>'
                                            '<li><a href="/b/">省内要闻</a></li><li><a href="/c/">政府公报</a></li></ul></div>'))
    assert (result.title, result.items) == ("国务院文件", 4)


@pytest.mark.parametrize("bottom", [
    '<div class="links"><a href="http://www.gov.cn/">中国政府网</a></div>',
    '<select><option value="http://www.scio.gov.cn/">国务院新闻办公室</option><option>国务院信息</option></select>',
    '<ul><li><a href="/xw/1.html">国务院常务会议部署进一步稳经济一揽子措施落实工作</a></li></ul>',
    '<p>会议强调，要认真学习贯彻<strong>国务院文件</strong>精神，坚持稳中求进工作总基调，推动高质量发展，更好统筹发展和安全。</p>',
    '<div><span>国务院部门</span><ul><li><a href="http://www.mofcom.gov.cn/">商务部</a></li>'
    '<li><a href="http://www.ndrc.gov.cn/">国家发展和改革委员会</a></li></ul></div>',
    "<script>var t = '国务院信息';</script>",
    '<title>国务院信息</title>',
])
def test_absent(bottom):
    assert find_policy_column(page(bottom=bottom)).found is False


@pytest.mark.parametrize("raw", [b"", b"\x00\xff\xfe", b"<html><body><h3>\xe5\x9b\xbd\xe5\x8a\xa1\xe9\x99\xa2\xe4\xbf", b"<<<>>>" * 100])
def test_never_raises(raw):
    result = find_policy_column(Page.from_bytes(raw))
    assert set(result.to_json()) == {"found", "title", "url", "items", "position"}
