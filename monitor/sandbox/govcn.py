"""A mock www.gov.cn: the JSON release feeds behind its list pages, the HTML lists, the 国务院信息
push list portals embed (``/pushinfo/v150203/``), and release pages with their exact publication
time; plus the error-report service hosts (zfwzgl.www.gov.cn, pucha.kaipuyun.cn, 121.43.68.40).
"""

from __future__ import annotations

import json
import re
from html import escape

from monitor.sandbox.rand import h
from monitor.sandbox.timeline import GWY_TOPICS, release_by_docid, releases
from monitor.sandbox.words import SENTENCES

GOV_HOSTS = frozenset({"www.gov.cn", "gov.cn"})
JIUCUO_HOSTS = frozenset({"zfwzgl.www.gov.cn", "pucha.kaipuyun.cn", "121.43.68.40"})
BOM = b"\xef\xbb\xbf"
FEED_DAYS = 60
_CONTENT = re.compile(r"^/(zhengce/content|yaowen/liebiao)/(\d{6})/content_(\d+)\.htm$")
#: a 1x1 transparent PNG
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082")

HTML = "text/html; charset=utf-8"
JS = "application/javascript; charset=utf-8"


def govcn(path: str, now) -> tuple[int, str, bytes] | None:
    """``(status, content_type, body)`` for a www.gov.cn path, or None (404)."""
    if path in ("/zhengce/zuixin/ZUIXINZHENGCE.json", "/yaowen/liebiao/YAOWENLIEBIAO.json"):
        category = "zhengce" if "ZUIXIN" in path else "yaowen"
        rows = [{"TITLE": r.title, "SUB_TITLE": "", "URL": r.url, "DOCRELPUBTIME": f"{r.ts:%Y-%m-%d %H:%M}",
                 "DOCID": r.docid} for r in releases(now, FEED_DAYS, category)]
        body = json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")
        # the policy feed is served with a BOM, as the real one sometimes is
        return 200, "application/json", (BOM + body if category == "zhengce" else body)
    if path in ("/zhengce/zuixin/", "/zhengce/zuixin/index.htm", "/zhengce/zuixin.htm"):
        return 200, HTML, _list_page("最新政策", "zhengce", now, "ZUIXINZHENGCE.json").encode()
    if path in ("/yaowen/liebiao/", "/yaowen/liebiao/index.htm", "/yaowen/liebiao.htm"):
        return 200, HTML, _list_page("要闻", "yaowen", now, "YAOWENLIEBIAO.json").encode()
    if path in ("/pushinfo/v150203/", "/pushinfo/v150203/index.htm"):
        return 200, HTML, _pushinfo(now).encode()
    if path == "/pushinfo/v150203/pushinfo.js":
        rows = "".join(f"<li><a href='{r.url}' target='_blank'>{escape(r.title)}</a></li>"
                       for r in releases(now, FEED_DAYS)[:8])
        js = f"document.write(\"<div class='gwyxx'><h3>国务院信息</h3><ul>{rows}</ul></div>\");\n"
        return 200, JS, js.encode()
    if path in ("/", "/index.htm"):
        return 200, HTML, _home(now).encode()
    m = _CONTENT.match(path)
    if m:
        rel = release_by_docid(int(m.group(3)))
        section = "zhengce/content" if rel and rel.category == "zhengce" else "yaowen/liebiao"
        if rel is None or rel.ts > now or m.group(1) != section or m.group(2) != f"{rel.ts:%Y%m}":
            return None
        return 200, HTML, _release_page(rel).encode()
    return None


def _head(title: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f'<meta name="SiteName" content="中国政府网">\n<meta name="SiteDomain" content="www.gov.cn">\n'
            f'<meta name="SiteIDCode" content="bm01000001">\n{extra}</head>\n<body>\n'
            '<div class="header"><a href="http://www.gov.cn/">中国政府网</a></div>\n')


_TAIL = ('<div class="footer"><p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>'
         '<p>版权所有：中国政府网　网站标识码bm01000001　京ICP备05070218号</p></div>\n</body>\n</html>\n')


def _list_page(title: str, category: str, now, feed: str) -> str:
    rows = "".join(f'<li><h4><a href="{r.url}" target="_blank">{escape(r.title)}</a>'
                   f'<span class="date">{r.ts:%Y-%m-%d}</span></h4></li>\n'
                   for r in releases(now, FEED_DAYS, category))
    return (_head(f"{title}_中国政府网") + f'<div class="list list_1 list_2" id="list"><ul>\n{rows}</ul></div>\n'
            f'<script>$.getJSON("./{feed}", function(d){{ /* renders #list */ }});</script>\n' + _TAIL)


def _pushinfo(now) -> str:
    rows = "".join(f'<li><a href="{r.url}" target="_blank" title="{escape(r.title)}">{escape(r.title)}</a>'
                   f'<span>{r.ts:%m-%d}</span></li>\n' for r in releases(now, FEED_DAYS)[:10])
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>国务院信息</title></head><body>\n'
            f'<div class="gwyxx"><div class="hd"><a href="http://www.gov.cn/" target="_blank">国务院信息</a></div>\n'
            f'<ul>\n{rows}</ul></div></body></html>\n')


def _home(now) -> str:
    rows = "".join(f'<li><a href="{r.url}">{escape(r.title)}</a></li>' for r in releases(now, 14))
    return (_head("中国政府网_中央人民政府门户网站") + '<div class="nav"><a href="/zhengce/zuixin/">最新政策</a>'
            f' <a href="/yaowen/liebiao/">要闻</a></div>\n<ul>{rows}</ul>\n' + _TAIL)


def _release_page(rel) -> str:
    meta = (f'<meta name="firstpublishedtime" content="{rel.ts:%Y-%m-%d-%H:%M:%S}">\n'
            f'<meta name="lastmodifiedtime" content="{rel.ts:%Y-%m-%d-%H:%M:%S}">\n'
            f'<meta name="description" content="{escape(rel.title)}">\n')
    topic = GWY_TOPICS[rel.k % len(GWY_TOPICS)]
    paras = []
    for i in range(8 + rel.k % 6):
        s = SENTENCES[h("rb", rel.k, i) % len(SENTENCES)]
        paras.append(s.format(date=f"{rel.ts.month}月{rel.ts.day}日", place="各地区、各部门", lv="国",
                              topic=topic, unit="各有关部门", lead="国务院领导同志"))
    body = "".join(f'<p style="text-indent:2em">{escape(p)}</p>\n' for p in paras)
    table = ""
    source = "新华社"
    if rel.category == "zhengce":
        source = "中国政府网"
        written = rel.ts.date().fromordinal(rel.ts.date().toordinal() - 3 - rel.k % 9)
        issuer = "国务院办公厅" if "办公厅" in rel.title else "国务院"
        table = ('<table class="bd1" width="100%"><tbody>'
                 f'<tr><td>索引号：</td><td>000014349/{rel.ts.year}-{rel.k % 900:05d}</td><td>主题分类：</td><td>综合政务</td></tr>'
                 f'<tr><td>发文机关：</td><td>{issuer}</td><td>成文日期：</td><td>{written.year}年{written.month:02d}月{written.day:02d}日</td></tr>'
                 f'<tr><td>标题：</td><td colspan="3">{escape(rel.title)}</td></tr>'
                 f'<tr><td>发文字号：</td><td>{rel.doc_no}</td><td>发布日期：</td>'
                 f'<td>{rel.ts.year}年{rel.ts.month:02d}月{rel.ts.day:02d}日</td></tr></tbody></table>\n')
    return (_head(f"{rel.title}_中国政府网", meta) + table +
            f'<div class="article oneColumn pub_border"><h1>{escape(rel.title)}</h1>\n'
            f'<div class="pages-date">{rel.ts:%Y-%m-%d %H:%M}　<span class="font">来源：{source}</span></div>\n'
            f'<div class="pages_content" id="UCAP-CONTENT">\n{body}</div></div>\n' + _TAIL)


def jiucuo(path: str, query: str) -> tuple[int, str, bytes] | None:
    """The error-report service: the script inserts the entry image link next to itself."""
    if path == "/exposure/jiucuo.js":
        js = ("(function(){var s=document.getElementById('_jiucuo_');var c=s?(s.getAttribute('sitecode')||'')"
              ".replace(/\\s/g,''):'';var a=document.createElement('a');a.href='https://zfwzgl.www.gov.cn/"
              "exposure/jiucuo.html?site_code='+c+'&url='+encodeURIComponent(location.href);a.target='_blank';"
              "var i=document.createElement('img');i.src='https://zfwzgl.www.gov.cn/exposure/images/jiucuo.png';"
              "i.alt='\\u6211\\u4e3a\\u653f\\u5e9c\\u7f51\\u7ad9\\u627e\\u9519';a.appendChild(i);"
              "if(s&&s.parentNode){s.parentNode.insertBefore(a,s.nextSibling);}else{document.body.appendChild(a);}})();\n")
        return 200, JS, js.encode()
    if path.startswith("/exposure/images/") or path.endswith(".png"):
        return 200, "image/png", PNG
    if path in ("/exposure/jiucuo.html",) or path.startswith("/check_web/errorInfo/jcInfo"):
        return 200, HTML, (_head("我为政府网站找错") + "<form><textarea name='content'></textarea></form>" + _TAIL).encode()
    return None
