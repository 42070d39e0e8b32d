"""Homepage elements in every variant real portals use: the 我为政府网站找错 entry and the State
Council policy column (国务院信息 / 国务院要闻 / 国务院文件, pushinfo embeds, nav tabs, absences).

Each function returns HTML for one variant; ``error_entry`` also returns the same-host resources a
variant needs (``/js/footer.js``, ``/include/foot.html``) through :func:`error_resource`.
"""

from __future__ import annotations

import base64
from html import escape
from urllib.parse import quote

ZFWZGL = "https://zfwzgl.www.gov.cn/exposure/jiucuo.js"
PUCHA = "http://pucha.kaipuyun.cn/exposure/jiucuo.js"
OLD_IP = "http://121.43.68.40/exposure/jiucuo.js"
JIUCUO_HTML = "https://zfwzgl.www.gov.cn/exposure/jiucuo.html"
JIUCUO_PNG = "https://zfwzgl.www.gov.cn/exposure/images/jiucuo.png"

FOOTER_JS = "/js/footer.js"
FOOT_IFRAME = "/include/foot.html"


def error_entry(variant: str, code: str, host: str) -> str:
    """The entry as it sits in the homepage footer ('' for variants that have none there)."""
    page_url = quote(f"http://{host}/", safe="")
    if variant in ("script", "script_zfwzgl"):
        return f'<script id="_jiucuo_" sitecode=\'{code}\' src=\'{ZFWZGL}\'></script>'
    if variant == "script_spaces":   # stray spaces, copied templates do this
        return f'<script id="_jiucuo_"  sitecode=" {code} "  src=" https://zfwzgl.www.gov.cn/exposure/jiucuo.js "></script>'
    if variant == "script_pucha":
        return f'<script id="_jiucuo_" sitecode="{code}" src="{PUCHA}"></script>'
    if variant == "script_ip":
        return f'<script type="text/javascript" id="_jiucuo_" sitecode="{code}" src="{OLD_IP}"></script>'
    if variant == "div":
        return (f'<div id="_jiucuo_" sitecode="{code}" style="display:inline-block;width:110px;height:55px">'
                f'</div>\n<script type="text/javascript" src="{ZFWZGL}"></script>')
    if variant == "span":
        return ('<script type="text/javascript">function Link(site_code){window.open("' + JIUCUO_HTML
                + '?site_code="+site_code+"&url="+encodeURIComponent(window.location.href));}</script>\n'
                f'<span id="_span_jiucuo"><img src="/images/jiucuo.png" onclick="Link(\'{code}\')" '
                'style="margin:0;border:0;cursor:pointer" alt="我为政府网站找错"></span>')
    if variant == "static":
        return (f'<a href="{JIUCUO_HTML}?site_code={code}&amp;url={page_url}" target="_blank">'
                f'<img src="{JIUCUO_PNG}" alt="我为政府网站找错" width="110" height="55"></a>')
    if variant == "jcinfo":
        return (f'<a href="https://zfwzgl.www.gov.cn/check_web/errorInfo/jcInfo?sitecode={code}&amp;url={page_url}" '
                'target="_blank" title="我为政府网站找错"><img src="/images/jiucuo.png" alt="政府网站找错"></a>')
    if variant == "document_write":
        return ('<script type="text/javascript">document.write(unescape("%3Cscript id=\'_jiucuo_\' '
                f'sitecode=\'{code}\' src=\'{ZFWZGL}\'%3E%3C/script%3E"));</script>')
    if variant == "commented":
        return (f'<!--<script id="_jiucuo_" sitecode="{code}" src="{ZFWZGL}"></script>-->\n'
                f'<!-- <a href="{JIUCUO_HTML}?site_code={code}"><img src="{JIUCUO_PNG}"></a> -->')
    if variant == "footer_js":
        return f'<div id="footer_box"></div>\n<script type="text/javascript" src="{FOOTER_JS}"></script>'
    if variant == "iframe":
        return (f'<iframe src="{FOOT_IFRAME}" width="100%" height="150" frameborder="0" scrolling="no" '
                'title="页脚"></iframe>')
    if variant == "js_only":
        return js_only_entry(code)
    return ""   # "none"


def error_resource(variant: str, code: str, path: str) -> tuple[str, str] | None:
    """``(content_type, text)`` of a same-host footer resource holding the entry, if any."""
    if variant == "footer_js" and path == FOOTER_JS:
        return "application/javascript", (
            "document.write('<div class=\"foot_links\"><a href=\"/\">网站首页</a> | <a href=\"javascript:;\">"
            "联系我们</a></div>');\n"
            f"document.write('<div class=\"foot_jc\"><script id=\"_jiucuo_\" sitecode=\"{code}\" "
            f"src=\"{ZFWZGL}\"><\\/script></div>');\n")
    if variant == "iframe" and path == FOOT_IFRAME:
        return "text/html; charset=utf-8", (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>页脚</title></head><body>"
            "<div class=\"foot\"><p>版权所有 · 未经许可不得转载</p>"
            f"<script id=\"_jiucuo_\" sitecode=\"{code}\" src=\"{ZFWZGL}\"></script></div></body></html>")
    return None


def _codes(text: str) -> str:
    return ",".join(str(ord(c)) for c in text)


def js_only_entry(code: str) -> str:
    """Built at run time: neither the word nor the code appear literally in any string."""
    b64 = base64.b64encode(code.encode()).decode()
    return (
        '<div class="foot-tools" id="footTools"></div>\n'
        '<script type="text/javascript">\n'
        '(function(){\n'
        f'  var n = String.fromCharCode({_codes("_jiucuo_")});\n'
        f'  var f = String.fromCharCode({_codes("jiucuo")});\n'
        '  var s = document.createElement("script");\n'
        '  s.id = n;\n'
        f'  s.setAttribute(String.fromCharCode({_codes("sitecode")}), atob("{b64}"));\n'
        '  s.src = "https://zfwzgl.www.gov.cn/exp" + "osure/" + f + ".js";\n'
        '  document.getElementById("footTools").appendChild(s);\n'
        '})();\n'
        '</script>')


# --- the State Council policy column ----------------------------------------------------------

PUSHINFO = "http://www.gov.cn/pushinfo/v150203/"


def pushinfo_iframe() -> str:
    return (f'<iframe src="{PUSHINFO}index.htm" width="360" height="280" frameborder="0" scrolling="no" '
            'title="国务院信息"></iframe>')


def pushinfo_script() -> str:
    return f'<script type="text/javascript" src="{PUSHINFO}pushinfo.js" charset="utf-8"></script>'


def link(url: str, title: str, attrs: str = 'target="_blank"') -> str:
    return f'<a href="{escape(url)}" {attrs} title="{escape(title)}">{escape(title)}</a>'
