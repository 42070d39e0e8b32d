"""When ``render=auto`` sends a homepage to the browser (``monitor.extract.render.needs_render``)."""

from __future__ import annotations

import pytest

from monitor.extract.errorlink import ErrorLink
from monitor.extract.page import Page
from monitor.extract.policy import PolicyColumn
from monitor.extract.render import needs_render, render_signals

TEXT = "".join(f'<li><a href="/xw/t{i}.html">本市第{i}条工作动态新闻标题示例</a></li>' for i in range(20))
FOUND, MISSING = ErrorLink(found=True), ErrorLink(found=False)
FOUND_P, MISSING_P = PolicyColumn(found=True), PolicyColumn(found=False)


def page(extra: str, head: str = "", url: str = "http://www.example.gov.cn/") -> Page:
    return Page(html=f"<html><head>{head}</head><body><div class='nav'><a href='/'>首页</a></div>"
                     f"<ul>{TEXT}</ul>{extra}</body></html>", url=url)


def test_both_found_never_renders():
    shell = Page(html='<html><body><div id="app"></div><script src="/app.js"></script></body></html>')
    assert needs_render(shell, FOUND, FOUND_P) is False


@pytest.mark.parametrize("extra", [
    '<div id="app"></div><script src="/js/app.js"></script><script>new Vue({el: "#app"})</script>',
    '<div id="footer"></div><script>$(function(){ $("#footer").load("/include/footer.shtml"); });</script>',
    "<div id=\"foot\"></div><script>var s=document.createElement('script'); s.id='_jiucuo_';"
    " document.getElementById('foot').appendChild(s);</script>",
    '<div class="ft"></div><script>document.write(footerHtml);</script>',
    '<script src="/static/js/foot_2020.js"></script>',
])
def test_renders_when_entry_missing_and_script_built(extra):
    p = page(extra)
    assert needs_render(p, MISSING, FOUND_P) is True, render_signals(p, MISSING, FOUND_P)


def test_renders_shell_page():
    shell = Page(html='<html><body><div id="root"></div><script src="/main.js"></script></body></html>')
    assert needs_render(shell, MISSING, MISSING_P) is True


def test_renders_when_policy_built_by_script():
    p = page("<div id='gwyxx'></div><script>$.getJSON('/data/gwyxx.json', function(d){ "
             "$('#gwyxx').html(d.map(x => '<li>'+x.TITLE+'</li>').join('')); });</script>")
    assert needs_render(p, FOUND, MISSING_P) is True


@pytest.mark.parametrize("extra", [
    "",
    "<script>$('.tab li').hover(function(){ $(this).addClass('on'); });</script>",
    """<script>document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E"));</script>""",
    '<script>$("#_span_jiucuo img").attr("title","政府网站找错");</script>',
    '<script src="/js/jquery.min.js"></script><script src="/js/common.js"></script>',
    '<script src="https://cdn.example.com/foot.js"></script>',
])
def test_static_pages_do_not_render(extra):
    p = page(extra)
    assert needs_render(p, MISSING, MISSING_P) is False, render_signals(p, MISSING, MISSING_P)


def test_header_script_only_counts_without_static_nav():
    nav = "<ul class='menu'>" + "".join(f"<li><a href='/c{i}/'>栏目{i}</a></li>" for i in range(6)) + "</ul>"
    assert needs_render(page(nav + '<script src="/js/header.js"></script>'), FOUND, MISSING_P) is False
    assert needs_render(page('<script src="/js/header.js"></script>'), FOUND, MISSING_P) is True


@pytest.mark.parametrize("raw", [b"", b"\x00\x01", b"<script>" * 100])
def test_never_raises(raw):
    assert needs_render(Page.from_bytes(raw), None, None) in (True, False)
