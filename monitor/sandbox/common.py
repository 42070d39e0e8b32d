"""Shared page pieces: the <head> with the national CMS meta tags, header, navigation, footer with
网站标识码/主办单位/ICP, off-host links, list-item date styles and padding styles so pages weigh what
real ones do (15-60 KB).
"""

from __future__ import annotations

from html import escape

from monitor.sandbox.rand import h, mix, pick

ICP_PREFIX = {"henan": "豫", "hebei": "冀", "bumen": "京"}
PARTNERS = {"henan": ("http://www.hnzwfw.gov.cn/", "河南政务服务网"),
            "hebei": ("http://www.hbzwfw.gov.cn/", "河北政务服务网"),
            "bumen": ("http://gjzwfw.www.gov.cn/", "国家政务服务平台")}
EXTERNAL = "http://external.example/"
_COLORS = ("#1f5fa8", "#c4161c", "#0a4c95", "#2b6cb0", "#b22222", "#155799", "#8b0000", "#005bac")


def fmt_date(ts, style: str) -> str:
    if style == "cn":
        return f"{ts.year}年{ts.month:02d}月{ts.day:02d}日"
    if style == "md":
        return f"{ts.month:02d}-{ts.day:02d}"
    if style == "bracket":
        return f"[{ts:%Y-%m-%d}]"
    if style == "datetime":
        return f"{ts:%Y-%m-%d %H:%M}"
    return f"{ts:%Y-%m-%d}"


def li(url: str, title: str, ts, style: str, short: int = 0) -> str:
    """One list item: ``<li><a …>title</a><span>date</span></li>`` in the portal's date style."""
    shown = title if not short or len(title) <= short else title[:short] + "…"
    return (f'<li><a href="{escape(url)}" target="_blank" title="{escape(title)}">{escape(shown)}</a>'
            f'<span class="date">{fmt_date(ts, style)}</span></li>')


def tr(url: str, title: str, ts, style: str) -> str:
    return (f'<tr><td class="t"><a href="{escape(url)}" target="_blank" title="{escape(title)}">'
            f'{escape(title)}</a></td><td class="d">{fmt_date(ts, "iso" if style == "table" else style)}</td></tr>')


def css(portal, weight: int = 6000) -> str:
    """A deterministic stylesheet of about ``weight`` bytes (real portals inline a lot of CSS)."""
    full = _CSS.get(portal.id)
    if full is None:
        if len(_CSS) > 20000:
            _CSS.clear()
        full = _CSS[portal.id] = _css(portal, MAX_CSS)
    cut = full.find("\n", weight)
    return full if cut < 0 else full[:cut] + "\n</style>"


_CSS: dict = {}
MAX_CSS = 16000


def _css(portal, weight: int) -> str:
    color = pick(_COLORS, portal.id, "color")
    rules = ["body{margin:0;font:14px/1.6 \"Microsoft YaHei\",\"微软雅黑\",SimSun;color:#333;background:#f4f6f9}",
             f"a{{color:#333;text-decoration:none}}a:hover{{color:{color}}}",
             f".header{{height:120px;background:{color}}}.nav{{background:{color};height:48px}}",
             ".nav li{float:left;padding:0 22px;line-height:48px}.nav a{color:#fff;font-size:17px}",
             ".block{float:left;width:580px;margin:10px}.block h3{border-bottom:2px solid " + color + "}",
             ".list li{height:36px;line-height:36px;overflow:hidden}.list .date{float:right;color:#999}",
             ".footer{clear:both;background:#eee;padding:20px 0;text-align:center;color:#666}"]
    seed = h(portal.id, "css")
    i = 0
    size = sum(map(len, rules))
    while size < weight:
        x = mix(seed, i)
        rule = (f".m{x % 0xFFFFF:x}{{margin:{(x >> 20) % 30}px {(x >> 25) % 20}px;padding:{(x >> 30) % 16}px;"
                f"width:{200 + (x >> 34) % 900}px;border:1px solid #e{(x >> 44) % 10}e{(x >> 48) % 10}e8}}")
        rules.append(rule)
        size += len(rule) + 1
        i += 1
    return "<style type=\"text/css\">\n" + "\n".join(rules) + "\n</style>"


def head(portal, title: str, *, column: str = "首页", column_type: str = "首页", charset: str = "utf-8",
         extra: str = "", css_weight: int = 6000) -> str:
    code = "" if hides_code(portal) else portal.site_code
    meta_code = f'<meta name="SiteIDCode" content="{code}">\n' if code else ""
    return (f'<!DOCTYPE html>\n<html>\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            if charset != "gb2312" else '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="gb2312">\n') + (
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f'<title>{escape(title)}</title>\n'
        f'<meta name="SiteName" content="{escape(portal.name)}">\n'
        f'<meta name="SiteDomain" content="{portal.host}">\n{meta_code}'
        f'<meta name="ColumnName" content="{escape(column)}">\n'
        f'<meta name="ColumnType" content="{escape(column_type)}">\n'
        f'{extra}{css(portal, css_weight)}\n'
        '<script type="text/javascript" src="/js/jquery.min.js"></script>\n</head>\n')


def header(portal) -> str:
    return ('<div class="top"><div class="w"><span class="fl">欢迎访问' + escape(portal.name) + '</span>'
            '<span class="fr"><a href="javascript:;" id="wza">无障碍</a> | <a href="javascript:;">长者模式</a>'
            ' | <a href="javascript:;">手机版</a></span></div></div>\n'
            f'<div class="header"><div class="w"><h1 class="logo"><a href="/">{escape(portal.name)}</a></h1>'
            '<form class="search" action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键词">'
            '<button type="submit">搜索</button></form></div></div>\n')


def nav(portal, columns, extra: str = "") -> str:
    items = ['<li class="on"><a href="/">首页</a></li>']
    for c in columns:
        items.append(f'<li><a href="{c.path}">{escape(c.name)}</a></li>')
    return f'<div class="nav" id="nav"><ul class="w">{"".join(items)}{extra}</ul></div>\n'


def footer(portal, entry: str = "") -> str:
    prefix = ICP_PREFIX.get(portal.region, "京")
    partner_url, partner = PARTNERS.get(portal.region, PARTNERS["bumen"])
    icp = 10000000 + h(portal.id, "icp") % 9000000
    gongan = 41000000000000 + h(portal.id, "ga") % 999999999
    code = "" if hides_code(portal) else (portal.site_code or "—")
    sponsor = portal.name + ("办公厅" if portal.level in ("province", "department") else "办公室")
    return (
        '<div class="footer" id="footer"><div class="w">\n'
        '<div class="friend">友情链接：<a href="http://www.gov.cn/" target="_blank">中国政府网</a>'
        f' | <a href="{partner_url}" target="_blank">{partner}</a>'
        f' | <a href="{EXTERNAL}survey.html" target="_blank">网站满意度调查</a></div>\n'
        f'<p>主办单位：{escape(sponsor)}　承办单位：{escape(portal.place)}大数据管理局</p>\n'
        f'<p>{"网站标识码：" + code + "　" if code else ""}<a href="http://beian.miit.gov.cn/" target="_blank">{prefix}ICP备{icp}号</a>'
        f'　{prefix}公网安备 {gongan}号</p>\n'
        f'<div class="jc">{entry}</div>\n'
        '</div></div>\n')


def hides_code(portal) -> bool:
    """A portal whose entry is built by script shows its site code nowhere in the HTML."""
    return bool(portal.error_link and portal.error_link.get("variant") == "js_only")


def page_end() -> str:
    return ('<script type="text/javascript">var _hmt=_hmt||[];(function(){var s=document.getElementsByTagName'
            '("script")[0];})();</script>\n</body>\n</html>\n')
