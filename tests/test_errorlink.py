"""Unit tests for the error-report entry detector (``monitor.extract.errorlink``)."""

from __future__ import annotations

import pytest

from monitor.extract.errorlink import find_error_link, find_error_link_in_script, footer_resources, normalize_code
from monitor.extract.page import Page

URL = "http://www.example.gov.cn/index.html"


def page(body: str, url: str = URL) -> Page:
    return Page(html=f"<html><head><title>t</title></head><body>{body}</body></html>", url=url)


def test_normalize_code():
    assert normalize_code("bm0500000 1") == "bm05000001"
    assert normalize_code("44010000041") is None
    assert normalize_code("0ADF13855B") is None


@pytest.mark.parametrize("markup", [
    '<script id="_jiucuo_" sitecode="4401000004" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
    "<script sitecode='4401000004' id='_jiucuo_' src='http://pucha.kaipuyun.cn/exposure/jiucuo.js'></script>",
    '<SCRIPT ID="_JIUCUO_" SITECODE=" 4401000004 " SRC=" http://121.43.68.40 /exposure/jiucuo.js "></SCRIPT>',
    "<script id=_jiucuo_ sitecode=4401000004 src=/js/jiucuo.js></script>",
])
def test_script_any_host_quotes_case(markup):
    result = find_error_link(page(markup))
    assert result.found and result.site_code == "4401000004" and result.variant == "script"


@pytest.mark.parametrize(("markup", "variant", "code"), [
    ('<div id="_jiucuo_" sitecode="bm17000009"></div>', "div", "bm17000009"),
    ('<span id="_span_jiucuo"></span>', "span_placeholder", None),
    ('<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3301000003&amp;url=x">找错</a>',
     "static_link", "3301000003"),
    ('<a href="http://121.43.68.40/exposure/jiucuo.html?sitecode=3301000003">x</a>', "static_link", "3301000003"),
    ('<a href="https://zfwzgl.www.gov.cn/check_web/errorInfo/jcInfo/8a8a1e2c">x</a>', "jcinfo_link", None),
    ("<img src=\"jiucuo.png\" onclick=\"Link('4403000011')\">", "image_link", "4403000011"),
    ('<img src="/images/jiucuo.png" onclick="Link()">', "image_link", None),
    ('<a href="#" onclick="window.open(\'https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3501000010&url=\''
     '+location.href)">x</a>', "onclick_link", "3501000010"),
    ('<div class="j-jiucuo" data-setting="{sitecode:3400000072}"></div>', "placeholder", "3400000072"),
    ("<script>document.write('<scr'+'ipt id=\"_jiu'+'cuo_\" sitecode=\"4101000003\"></scr'+'ipt>');</script>",
     "document_write", "4101000003"),
    ('<script>document.write(unescape("%3Cspan id=\'_jiucuo_\' sitecode=\'1306000033\'%3E%3C/span%3E"));</script>',
     "document_write", "1306000033"),
    ("<script>var f = '<span id=\"_span_jiucuo\"><img onclick=\"Link(\\'4400000131\\')\"></span>';"
     " el.innerHTML = f;</script>", "script_string", "4400000131"),
])
def test_variants(markup, variant, code):
    result = find_error_link(page(markup))
    assert (result.found, result.variant, result.site_code) == (True, variant, code)


@pytest.mark.parametrize("markup", [
    "<!-- <script id=\"_jiucuo_\" sitecode='4201000008' src='x/jiucuo.js'></script> -->",
    "<!--<a href=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=4201000008\">x</a>-->",
    "<script>// document.write('<script id=\"_jiucuo_\" sitecode=\"4201000008\"></scr'+'ipt>');\n</script>",
    "<script>/* document.write('<div id=\"_jiucuo_\" sitecode=\"4201000008\"></div>'); */</script>",
    '<ul><li><a href="/xw/t1.html">我市通报“我为政府网站找错”平台留言办理情况</a></li></ul>',
    '<a href="/ztzl/wwzfwzzc/"><img alt="我为政府网站找错"></a>',
    '<script>$("#_span_jiucuo img").attr("title","政府网站找错");</script>',
    "<script>function Link(){ window.open('http://121.43.68.40/exposure/jiucuo.html?site_code=4201000008'); }</script>",
    '<div id="_jiucuo_"></div>',
    '<a href="/zhaocuo/index.html"><img src="jiucuo.png"></a>',
    '<script>var re = /\'/g; var s = "<p>jiucuo</p>";</script>',
])
def test_absent(markup):
    assert find_error_link(page(markup)).found is False


def test_link_without_arguments_takes_code_from_inline_function():
    markup = ('<span id="_span_jiucuo"><img src="x.png" onclick="Link()"></span>'
              "<script>function Link(){ window.open('https://zfwzgl.www.gov.cn/exposure/jiucuo.html"
              "?site_code=4201110038&url=' + location.href); }</script>")
    assert find_error_link(page(markup)).site_code == "4201110038"


def test_site_code_falls_back_to_meta_and_prefers_script():
    html = ('<html><head><META content="1306000033" name="SiteIDCode"></head><body>'
            '<div id="_span_jiucuo"><div id="_jiucuo_" sitecode="1100000088"></div></div>'
            '<script id="_jiucuo_" sitecode="1101060001" src="jiucuo.js"></script></body></html>')
    assert find_error_link(Page(html=html)).site_code == "1101060001"
    bare = Page(html='<html><head><meta name="siteidcode" content="1306000033"></head><body>x</body></html>')
    assert find_error_link(bare).to_json() == {"found": False, "site_code": "1306000033", "url": None, "variant": None}


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe\x00", b"\x00\x01junk<<<", b"<html><body><script id=\"_jiucuo_\" site",
                                 "<scr\u0000ipt>".encode(), b"<" * 5000])
def test_never_raises(raw):
    result = find_error_link(Page.from_bytes(raw))
    assert set(result.to_json()) == {"found", "site_code", "url", "variant"}
    assert footer_resources(Page.from_bytes(raw), "www.example.gov.cn") == []
    assert find_error_link_in_script(raw, "").found in (True, False)


def test_footer_resources_same_host_only_and_ordered():
    markup = "".join([
        '<script src="/js/jquery.min.js"></script>',
        '<script src="https://cdn.example.com/footer.js"></script>',
        '<script src="http://example.gov.cn/js/common.js"></script>',
        '<script src="//www.example.gov.cn.evil.com/foot.js"></script>',
        '<script src="javascript:void(0)"></script>',
        '<script src="/static/js/foot_2020.js"></script>',
        '<iframe src="/include/bottom.html"></iframe>',
        '<iframe src="https://www.gov.cn/pushinfo/v150203/index.htm"></iframe>',
        '<script src="ftp://www.example.gov.cn/x.js"></script>',
        '<script src="/static/js/foot_2020.js"></script>',
    ])
    urls = footer_resources(page(markup), "www.example.gov.cn")
    assert urls[0] == "http://www.example.gov.cn/include/bottom.html"
    assert set(urls) == {"http://www.example.gov.cn/include/bottom.html",
                         "http://www.example.gov.cn/static/js/foot_2020.js",
                         "http://example.gov.cn/js/common.js",
                         "http://www.example.gov.cn/js/jquery.min.js"}
    assert urls[-1].endswith("jquery.min.js")


def test_footer_resources_bounded():
    markup = "".join(f'<script src="/js/s{i}.js"></script>' for i in range(30))
    assert len(footer_resources(page(markup), "example.gov.cn")) == 8


def test_in_script_document_write_and_loader():
    js = 'document.writeln("<div><a href=\\"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=4303000006\\">x</a></div>");'
    result = find_error_link_in_script(js, "http://www.xiangtan.gov.cn/static/js/foot.js")
    assert (result.found, result.site_code, result.variant) == (True, "4303000006", "document_write")
    loader = ("var s=document.createElement('script'); s.id='_jiucuo_'; s.setAttribute('sitecode','bm05000001');"
              "s.src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'; document.body.appendChild(s);")
    result = find_error_link_in_script(loader, "")
    assert (result.found, result.site_code, result.variant) == (True, "bm05000001", "script_loader")
    assert result.url == "https://zfwzgl.www.gov.cn/exposure/jiucuo.js"
    assert find_error_link_in_script('$("#_span_jiucuo img").attr("alt","找错");', "").found is False
