"""Portal pages: homepages, column lists and articles in the three CMS families real portals run.

* ``trs`` (TRS WCM): lists ``index.html``, ``index_1.html`` paged by ``createPageHTML(count, index,
  "index", "html")``, articles ``./202611/t20261120_1353179.html`` under the column, relative links.
* ``hanweb`` (大汉 JCMS): columns ``/col/col60085/index.html`` whose records sit in
  ``<script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]>``, further records from
  ``/module/web/jpage/dataproxy.jsp``, articles ``/art/2026/11/14/art_60085_11394426.html``.
* ``plain``: ul/li or table lists (``/gzdt/``, ``/gzdt/list_2.html``), articles ``/gzdt/202611/1234567.shtml``.
* ``nav``: a navigation-only homepage (links to columns, no dated items); columns as ``plain``.
"""

from __future__ import annotations

import math
from html import escape

from datetime import datetime

from monitor.sandbox import common, elements, plants
from monitor.sandbox.rand import h
from monitor.sandbox.timeline import MAX_ITEMS, Item, column_items, column_slots, context, make_item
from monitor.sandbox.words import body_paragraphs

PAGE = 20          # items per list page
HANWEB_GROUP = 60  # records a Hanweb column page embeds


def article_url(portal, column, item, relative_to: str = "") -> str:
    if item.external and item.release is not None:
        return item.release.url
    ts = item.ts
    if portal.template == "hanweb":
        url = f"/art/{ts.year}/{ts.month}/{ts.day}/art_{column.colid}_{item.docid}.html"
    elif portal.template == "trs":
        url = f"{column.base}{ts:%Y%m}/t{ts:%Y%m%d}_{item.docid}.html"
    else:
        url = f"{column.base}{ts:%Y%m}/{item.docid}.shtml"
    if relative_to and url.startswith(relative_to):
        return "./" + url[len(relative_to):]
    return url


def _href(portal, path: str) -> str:
    """TRS homepages link their own pages relatively (``./xwzx/…``); absolute URLs stay as they are."""
    return "./" + path[1:] if portal.template == "trs" and path.startswith("/") else path


# --- homepage -------------------------------------------------------------------------------

def homepage(portal, clock) -> str:
    cut = clock.homepage_cut(portal)
    charset = "gb2312" if portal.encoding == "gbk" else "utf-8"
    error = portal.error_link if clock.has(portal, "error_link") else None
    policy = portal.policy if clock.has(portal, "policy_column") else None
    entry = elements.error_entry(error["variant"], error.get("site_code") or portal.site_code, portal.host) if error else ""
    gwy = portal.column("gwy")
    visible = [c for c in portal.columns if c.kind != "gwy" or (policy and policy.get("variant") == "nav")]
    if gwy and policy and policy.get("variant") == "nav":
        visible = [c for c in visible if c.kind != "gwy"] + [gwy]
    extra_meta = "<meta name='WebId' content='1'>\n" if portal.template == "hanweb" else ""
    out = [common.head(portal, portal.name, charset=charset, extra=extra_meta, css_weight=16000),
           "<body>\n", plants.injected(portal, clock), common.header(portal), common.nav(portal, visible[:10]),
           plants.after_nav(portal, clock)]
    if portal.template == "nav":
        out.append(_nav_grid(portal, visible))
    else:
        out.append('<div class="main w">\n')
        news = [c for c in portal.columns if c.kind == "news"]
        first = news[0] if news else portal.columns[0]
        out.append(_focus(portal, first, clock, cut, policy))
        if policy and policy.get("variant") in ("heading", "tab") and gwy:
            out.append(_policy_block(portal, gwy, clock, policy, first, cut))
        for c in portal.columns:
            if c is first or c.kind == "gwy":
                continue
            out.append(_block(portal, c, clock, 6 if c.kind in ("notice", "policy", "news") else 4))
        out.append(_traps(portal))
        out.append(plants.blocks(portal))
        out.append(_service_links(portal))
        out.append(_link_selects(portal))
        out.append("</div>\n")
    out.append(common.footer(portal, entry))
    out.append(common.page_end())
    return "".join(out)


def _items(portal, column, clock, n):
    cut = clock.cut(portal, column)
    items = column_items(portal, column, cut, n, clock=clock)
    planted = plants.column_plants(portal, column, clock, cut) if portal.plants else ()
    if planted:
        items = sorted(items + planted, key=lambda it: it.ts, reverse=True)[:n]
    return items


def shown_ts(portal, column, item, clock) -> datetime:
    """The date a list prints for ``item``: its own, or the crawl day's when the column is re-dated
    (``decay.redate``, from the event on: same title, same URL, a new date every day)."""
    if column.key not in (clock.event_rule(portal, "redate") or ()):
        return item.ts
    return min(clock.now.replace(hour=item.ts.hour, minute=item.ts.minute, second=0), clock.now)


def _focus(portal, column, clock, cut, policy) -> str:
    items = _items(portal, column, clock, 8)
    rows = "".join(common.li(_href(portal, article_url(portal, column, it)), it.title,
                             shown_ts(portal, column, it, clock), portal.dates) for it in items)
    head_item = ""
    if items:
        top = items[0]
        head_item = (f'<div class="headline"><h2><a href="{_href(portal, article_url(portal, column, top))}" '
                     f'target="_blank">{escape(top.title)}</a></h2><p>{escape(top.title)}……</p></div>')
    embed = ""
    if policy and policy.get("variant") == "pushinfo_iframe":
        embed = '<div class="gwyxx-embed">' + elements.pushinfo_iframe() + "</div>"
    elif policy and policy.get("variant") == "pushinfo_script":
        embed = '<div class="gwyxx-embed" id="gwyxx">' + elements.pushinfo_script() + "</div>"
    more = _href(portal, column.path)
    return (f'<div class="focus clearfix"><!-- 栏目：{escape(column.name)} -->\n{head_item}'
            f'<div class="block news"><div class="hd"><h3><a href="{more}">{escape(column.name)}</a></h3>'
            f'<a class="more" href="{more}">更多&gt;&gt;</a></div>\n<ul class="list">{rows}</ul></div>{embed}</div>\n')


def _policy_block(portal, gwy, clock, policy, first, cut) -> str:
    items = _items(portal, gwy, clock, 6)
    style = "datetime" if portal.dates == "datetime" else ("iso" if portal.dates == "md" else portal.dates)
    rows = "".join(common.li(_href(portal, article_url(portal, gwy, it)), it.title, it.ts, style, short=26)
                   for it in items)
    title = policy.get("title", gwy.name)
    more = _href(portal, gwy.path)
    if policy["variant"] == "tab":
        news = _items(portal, first, clock, 6)
        other = "".join(common.li(_href(portal, article_url(portal, first, it)), it.title,
                                  shown_ts(portal, first, it, clock), portal.dates) for it in news)
        return ('<div class="tabbox gwyxx">\n<div class="tab-hd"><ul>'
                f'<li class="on"><a href="{more}">{escape(title)}</a></li>'
                f'<li><a href="{_href(portal, first.path)}">{escape(portal.place)}要闻</a></li></ul></div>\n'
                f'<div class="tab-bd"><ul class="list">{rows}</ul>\n'
                f'<ul class="list" style="display:none">{other}</ul></div></div>\n')
    return (f'<div class="block gwy"><div class="hd"><h3><a href="{more}">{escape(title)}</a></h3>'
            f'<a class="more" href="{more}">更多&gt;&gt;</a></div>\n<ul class="list">{rows}</ul></div>\n')


def _block(portal, column, clock, n) -> str:
    items = _items(portal, column, clock, n)
    more = _href(portal, column.path)
    if portal.dates == "table":
        rows = "".join(common.tr(_href(portal, article_url(portal, column, it)), it.title,
                                 shown_ts(portal, column, it, clock), "iso") for it in items)
        body = f'<table class="list" width="100%">{rows}</table>'
    else:
        rows = "".join(common.li(_href(portal, article_url(portal, column, it)), it.title,
                                 shown_ts(portal, column, it, clock), portal.dates, short=30) for it in items)
        body = f'<ul class="list">{rows}</ul>'
    return (f'<div class="block"><div class="hd"><h3><a href="{more}">{escape(column.name)}</a></h3>'
            f'<a class="more" href="{more}">更多&gt;&gt;</a></div>\n{body}</div>\n')


def _traps(portal) -> str:
    traps = getattr(portal, "traps", None) or ()
    if not traps:
        return ""
    target = _href(portal, portal.columns[0].path)
    links = "".join(f'<li><a href="{target}" target="_blank">{escape(t)}</a></li>' for t in traps)
    return f'<div class="block zt"><div class="hd"><h3>专题专栏</h3></div><ul class="ztlist">{links}</ul></div>\n'


def _service_links(portal) -> str:
    services = ("个人办事", "法人办事", "部门服务", "主题服务", "便民服务", "办件查询", "投诉建议", "好差评")
    partner_url, partner = common.PARTNERS.get(portal.region, common.PARTNERS["bumen"])
    links = "".join(f'<li><a href="{partner_url}" target="_blank">{s}</a></li>' for s in services)
    return (f'<div class="block service"><div class="hd"><h3>政务服务</h3><a class="more" href="{partner_url}"'
            f' target="_blank">{partner}</a></div><ul class="svc">{links}</ul></div>\n')


def _sidebar(portal, current) -> str:
    on = ' class="on"'
    items = "".join(f'<li{on if c is current else ""}><a href="{c.path}">{escape(c.name)}</a></li>'
                    for c in portal.columns if c.kind != "gwy")
    return f'<div class="sidebar"><h3>栏目导航</h3><ul>{items}</ul></div>\n'


_SELECTS = (("国务院部门网站", ("外交部", "国家发展和改革委员会", "教育部", "科学技术部", "工业和信息化部",
                              "公安部", "民政部", "司法部", "财政部", "人力资源和社会保障部", "自然资源部",
                              "生态环境部", "住房和城乡建设部", "交通运输部", "水利部", "农业农村部", "商务部")),
            ("省级政府网站", ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省",
                            "黑龙江省", "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
                            "河南省", "湖北省", "湖南省", "广东省")))


def _link_selects(portal) -> str:
    """Link dropdowns (their <option>s name 国务院部门 without being a policy column)."""
    out = []
    for label, names in _SELECTS:
        opts = "".join(f'<option value="javascript:;">{n}</option>' for n in names)
        out.append(f'<select onchange="window.open(this.value)"><option>{label}</option>{opts}</select>')
    return f'<div class="links">{"".join(out)}</div>\n'


def _nav_grid(portal, columns) -> str:
    cells = "".join(f'<li><a href="{c.path}"><img src="/images/icon_{c.key}.png" alt=""><span>'
                    f'{escape(c.name)}</span></a></li>' for c in columns)
    return (f'<div class="main w"><div class="banner"><img src="/images/banner.jpg" alt="{escape(portal.name)}">'
            f'</div>\n<div class="grid"><ul>{cells}</ul></div>\n{_service_links(portal)}{_link_selects(portal)}</div>\n')


# --- lists ----------------------------------------------------------------------------------

def list_items(portal, column, clock, start: int = 0, end: int = MAX_ITEMS):
    """Items ``start:end`` of a column (titles made only for those) and the column's total."""
    cut = clock.cut(portal, column)
    if column.kind == "gwy":
        items = column_items(portal, column, cut, MAX_ITEMS, clock=clock)
        return items[start:end], len(items)
    slots = column_slots(portal.id, column.key, column.kind, cut, MAX_ITEMS)
    planted = plants.column_plants(portal, column, clock, cut) if portal.plants else ()
    if planted:
        merged = sorted([(s[2], s) for s in slots] + [(it.ts, it) for it in planted], key=lambda x: x[0],
                        reverse=True)[:MAX_ITEMS]
        return ([x if isinstance(x, Item) else make_item(portal, column, x) for _, x in merged[start:end]],
                len(merged))
    return [make_item(portal, column, s) for s in slots[start:end]], len(slots)


def list_page(portal, column, clock, page: int) -> str | None:
    """Page ``page`` (0-based) of a column; None past the last page."""
    if portal.template == "hanweb":
        chunk, total = list_items(portal, column, clock, 0, HANWEB_GROUP)
    else:
        chunk, total = list_items(portal, column, clock, page * PAGE, (page + 1) * PAGE)
    pages = max(1, math.ceil(total / PAGE))
    if page >= pages and page != 0:
        return None
    charset = "gb2312" if portal.encoding == "gbk" else "utf-8"
    ctype = "工作动态" if column.kind in ("news", "gwy") else column.name
    out = [common.head(portal, f"{column.name}_{portal.name}", column=column.name, column_type=ctype,
                       charset=charset, css_weight=12000), "<body>\n", common.header(portal),
           common.nav(portal, [c for c in portal.columns if c.kind != "gwy"][:10]),
           f'<div class="main w"><div class="position">当前位置：<a href="/">首页</a> &gt; '
           f'<a href="{column.path}">{escape(column.name)}</a></div>\n{_sidebar(portal, column)}<div class="list-box">'
           f'<h2 class="lm">{escape(column.name)}</h2>\n']
    if not total:
        out.append('<div class="empty">暂无信息</div>')
    elif portal.template == "trs":
        rows = "".join(common.li(article_url(portal, column, it, column.base), it.title,
                                 shown_ts(portal, column, it, clock), _list_style(portal)) for it in chunk)
        out.append(f'<ul class="list">{rows}</ul>\n<div class="page"><script type="text/javascript">\n'
                   f'createPageHTML({pages}, {page}, "index", "html");\n</script></div>\n')
    elif portal.template == "hanweb":
        out.append(hanweb_datastore(portal, column, chunk, total, clock))
    else:
        out.append(_plain_rows(portal, column, chunk, clock))
        nxt = f'<a href="list_{page + 2}.html">下一页</a>' if page + 1 < pages else ""
        prev = (f'<a href="{"./" if page == 1 else f"list_{page}.html"}">上一页</a>' if page else "")
        out.append(f'<div class="page">共{total}条 第{page + 1}/{pages}页 {prev} {nxt}</div>\n')
    out.append("</div></div>\n")
    out.append(common.footer(portal, _list_entry(portal, clock)))
    out.append(common.page_end())
    return "".join(out)


def _list_style(portal) -> str:
    return "iso" if portal.dates in ("md", "table") else portal.dates


def _list_entry(portal, clock) -> str:
    e = portal.error_link if clock.has(portal, "error_link") else None
    if not e or e["variant"] in ("js_only", "footer_js", "iframe", "commented", "none"):
        return ""
    return elements.error_entry(e["variant"], e.get("site_code") or portal.site_code, portal.host)


def _plain_rows(portal, column, chunk, clock) -> str:
    if portal.dates == "table":
        rows = "".join(common.tr(article_url(portal, column, it), it.title, shown_ts(portal, column, it, clock), "iso")
                       for it in chunk)
        return f'<table class="list" width="100%"><tr><th>标题</th><th>发布日期</th></tr>{rows}</table>\n'
    rows = "".join(common.li(article_url(portal, column, it), it.title, shown_ts(portal, column, it, clock),
                             _list_style(portal)) for it in chunk)
    return f'<ul class="list">{rows}</ul>\n'


def hanweb_records(portal, column, items, clock) -> str:
    return "\n".join(
        f'<record><![CDATA[\n<li><a href="{article_url(portal, column, it)}" target="_blank" '
        f'title="{escape(it.title)}">{escape(it.title)}</a><span class="bt-data-time">'
        f'{shown_ts(portal, column, it, clock):%Y-%m-%d}</span></li>\n]]></record>'
        for it in items)


def hanweb_datastore(portal, column, items, total: int, clock) -> str:
    unit = 200000 + h(portal.id, column.key, "unit") % 99999
    proxy = (f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid={column.colid}"
             f"&unitid={unit}&webname={escape(portal.name)}&permissiontype=0")
    return (f'<div id="{unit}"><script type="text/xml"><datastore>\n'
            f'<nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>\n<recordset>\n'
            f'{hanweb_records(portal, column, items, clock)}\n</recordset>\n</datastore></script>'
            f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
            f'<script>var totalRecord = {total}; var perpage = 20; '
            f'$("#{unit}").jpage({{dataStore: "{unit}", perPage: 20, totalRecord: {total}}});</script></div>\n')


def hanweb_dataproxy(portal, column, clock, start: int, end: int) -> str:
    start = max(1, start)
    chunk, total = list_items(portal, column, clock, start - 1, max(start - 1, end))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>{total}</totalrecord>\n'
            f'<totalpage>{max(1, math.ceil(total / PAGE))}</totalpage>\n<recordset>\n'
            f'{hanweb_records(portal, column, chunk, clock)}\n</recordset>\n</datastore>\n')


# --- articles -------------------------------------------------------------------------------

def article(portal, column, item, clock) -> str:
    ts = item.ts
    charset = "gb2312" if portal.encoding == "gbk" else "utf-8"
    ctx = context(portal, ts.year)
    ctx["date_cn"] = f"{ts.month}月{ts.day}日"
    source = "中国政府网" if item.release is not None else f"{portal.place}" + ("办公室" if column.kind != "news" else "融媒体中心")
    title = item.release.title if item.release is not None else item.title
    n = 6 + h(portal.id, item.docid, "n") % 12
    paras = plants.article_body(portal, item) if portal.plants and plants.is_plant(portal, item.docid) else None
    if paras is None:
        paras = "".join(f'<p style="text-indent:2em">{escape(p)}</p>\n'
                        for p in body_paragraphs(ctx, n, portal.id, item.docid))
    meta = (f'<meta name="ArticleTitle" content="{escape(title)}">\n'
            f'<meta name="PubDate" content="{ts:%Y-%m-%d %H:%M}">\n'
            f'<meta name="ContentSource" content="{escape(source)}">\n')
    out = [common.head(portal, f"{title}_{portal.name}", column=column.name,
                       column_type="工作动态" if column.kind in ("news", "gwy") else column.name,
                       charset=charset, extra=meta, css_weight=9000),
           "<body>\n", common.header(portal), common.nav(portal, [c for c in portal.columns if c.kind != "gwy"][:10]),
           f'<div class="main w"><div class="position">当前位置：<a href="/">首页</a> &gt; '
           f'<a href="{column.path}">{escape(column.name)}</a> &gt; 正文</div>\n<div class="article">\n'
           f'<h1 class="title">{escape(title)}</h1>\n']
    if portal.template == "hanweb":
        out.append(f'<div class="sp_time"><font>时间：{ts:%Y-%m-%d %H:%M}</font> <font>来源：{escape(source)}</font></div>\n')
    elif portal.encoding == "gbk" or portal.dates == "cn":
        out.append(f'<div class="info">发布日期：{ts.year}年{ts.month:02d}月{ts.day:02d}日　来源：{escape(source)}</div>\n')
    else:
        out.append(f'<div class="info">发布时间：{ts:%Y-%m-%d %H:%M}　来源：{escape(source)}　'
                   '字号：[<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>]</div>\n')
    out.append(f'<div id="zoom" class="content">\n{paras}</div>\n</div></div>\n')
    out.append(common.footer(portal, _list_entry(portal, clock)))
    out.append(common.page_end())
    return "".join(out)
