"""The "我为政府网站找错" error-report entry on a page, and its 网站标识码.

The 2019 check indicators (国办秘函〔2019〕19号) require the entry on every homepage; the national
platform hands each site ``<script id="_jiucuo_" sitecode=… src=…/exposure/jiucuo.js>`` (hosts
zfwzgl.www.gov.cn, formerly pucha.kaipuyun.cn / 121.43.68.40). Portals also ship the rendered form
(``<span id="_span_jiucuo"><img onclick="Link('code')">``), static links to
``/exposure/jiucuo.html?site_code=…``, placeholder divs, and strings written by ``document.write`` or
``innerHTML``. Element XPath never sees ``<!-- -->`` (lxml keeps comments as comment nodes), and
script strings are read from the parsed tree, so commented-out markup is absent. Text that merely
says 我为政府网站找错 (a news title) is never evidence.

Detection is a cascade, most precise variant first; see ``_VARIANT_RANK``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from monitor.extract.jsstrings import js_string_runs

#: a 网站标识码: 6-digit division code + 4 digits, or ``bm`` + 8 digits for State Council departments
SITE_CODE_RE = re.compile(r"^(\d{10}|bm\d{8})$")
_CODE_NEAR_KEY = re.compile(r"site_?code['\"]?\s*[=:,]\s*(?:&#39;|&quot;|['\"\s])*((?:bm|BM)\d{8}|\d{10})(?![0-9])",
                            re.I)
_LINK_CALL = re.compile(r"\bLink\s*\(\s*(?:&#39;|['\"])?\s*((?:bm|BM)\d{8}|\d{10})?\s*(?:&#39;|['\"])?\s*\)")
#: URLs of the national error-report page (or a portal's redirect to it), stray spaces tolerated
_ENTRY_URL = re.compile(
    r"exposure\s*/\s*jiucuo\s*\.\s*html"
    r"|check_web\s*/\s*errorInfo\s*/\s*jcInfo"
    r"|jiucuo\s*\.\s*(?:php|jsp|aspx?|do)\s*\?[^\"'<>]*site_?code\s*=", re.I)
_JCINFO = re.compile(r"jcInfo", re.I)
_JIUCUO_JS = re.compile(r"jiucuo\.js", re.I)
_CODE_ATTRS = ("sitecode", "site_code", "data-sitecode", "data-site-code", "data-setting", "data-code")
#: a script string worth parsing as markup
_STRING_HINT = re.compile(r"jiucuo|jcinfo|exposure|\bLink\s*\(", re.I)
#: a script worth tokenizing at all (split words like 'jiu'+'cuo' are joined only afterwards)
_JS_PREFILTER = re.compile(r"jiu|cuo|exposure|jcinfo|\bLink\s*\(|%3c|\\x3c|\\u003c", re.I)
_CREATE_SCRIPT = re.compile(r"createElement\s*\(\s*['\"]script['\"]\s*\)", re.I)
_LINK_FUNC = re.compile(r"function\s+Link\s*\(|\bLink\s*=\s*function", re.I)
_WS = re.compile(r"\s+")

_VARIANT_RANK = {
    "script": 0, "div": 1, "span": 1, "static_link": 2, "jcinfo_link": 2, "image_link": 3,
    "onclick_link": 3, "placeholder": 4, "document_write": 5, "script_string": 5,
    "script_loader": 5, "span_placeholder": 6,
}

_X_META_CODE = etree.XPath(
    "//meta[translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')='siteidcode']/@content")
_X_SCRIPTS = etree.XPath("//script")
_X_IDS = etree.XPath("//*[@id]")
_X_HREFS = etree.XPath("//*[@href or @src or @action]")
_X_ONCLICK = etree.XPath("//*[@onclick]")
_X_CLASS_JIUCUO = etree.XPath(
    "//*[contains(translate(@class,'JIUCO','jiuco'),'jiucuo') or contains(translate(@id,'JIUCO','jiuco'),'jiucuo')]")


@dataclass(frozen=True, slots=True)
class ErrorLink:
    """The error-report entry of a page (or of the portal, once footers and renders are read).

    ``via``: the footer script/iframe where it was found; ``rendered``: found only after rendering.
    """

    found: bool = False
    site_code: str | None = None
    url: str | None = None
    variant: str | None = None
    via: str | None = None
    rendered: bool = False

    def to_json(self) -> dict:
        """``{found, site_code, url, variant}`` (+ ``via``/``rendered`` when set): what
        ``monitor inspect`` prints and the store keeps."""
        out = {"found": self.found, "site_code": self.site_code, "url": self.url, "variant": self.variant}
        if self.via:
            out["via"] = self.via
        if self.rendered:
            out["rendered"] = True
        return out

    @classmethod
    def from_json(cls, data: dict | None) -> "ErrorLink | None":
        if data is None:
            return None
        return cls(bool(data.get("found")), data.get("site_code"), data.get("url"), data.get("variant"),
                   data.get("via"), bool(data.get("rendered")))


NOT_FOUND = ErrorLink()


def normalize_code(value) -> str | None:
    """The site code in canonical form (``bm`` lower-case), or None if it is not one."""
    code = _WS.sub("", str(value or "")).lower()
    return code if SITE_CODE_RE.match(code) else None


def site_id_code(page) -> str | None:
    """The page's ``<meta name="SiteIDCode">`` (any case), if it is a valid code."""
    tree = _tree(page)
    if tree is None:
        return None
    for value in _X_META_CODE(tree):
        code = normalize_code(value)
        if code:
            return code
    return None


def find_error_link(page) -> ErrorLink:
    """The error-report entry in a page's own HTML.

    ``site_code`` is the entry's code; when the entry carries none, or there is no entry, it is the
    page's SiteIDCode meta (as the corpus labels it), else None. ``url`` is the entry's link or
    script URL when it has one.
    """
    tree = _tree(page)
    if tree is None:
        return NOT_FOUND
    base = getattr(page, "url", "") or ""
    try:
        result = _pick(_scan_tree(tree, base), _link_function_code(tree))
    except (ValueError, TypeError, etree.LxmlError):
        result = NOT_FOUND
    if result.site_code is None:
        code = site_id_code(page)
        if code is not None:
            result = replace(result, site_code=code)
    return result


def find_error_link_in_script(js_text, base_url: str = "") -> ErrorLink:
    """The entry inside a fetched same-host script (a footer written by ``document.write`` or
    ``innerHTML`` strings, or a loader that creates the ``_jiucuo_`` script)."""
    try:
        js = js_text.decode("utf-8", "replace") if isinstance(js_text, bytes) else str(js_text or "")
    except Exception:  # noqa: BLE001 - never raise on junk input
        return NOT_FOUND
    try:
        candidates = _scan_js(js, base_url or "")
    except (ValueError, TypeError, etree.LxmlError):
        candidates = []
    if not candidates and _CREATE_SCRIPT.search(js) and (_JIUCUO_JS.search(js) or "_jiucuo_" in js.lower()):
        code = _first_code(js)
        url = None
        for text in js_string_runs(js):
            if _JIUCUO_JS.search(text):
                url = _clean_url(text, base_url)
                break
        candidates.append(("script_loader", code, url))
    return _pick(candidates, None)


def footer_resources(page, host: str, limit: int = 8,
                     kinds: tuple[str, ...] = ("script", "iframe", "frame")) -> list[str]:
    """Same-host scripts and iframes the page includes, most likely footer holders first.

    Only for when the HTML alone shows no entry: the crawler fetches these and runs
    :func:`find_error_link_in_script` (scripts) or :func:`find_error_link` (iframes) on them.
    Never returns a URL on another host (``www.`` ignored) or a non-http(s) URL.
    """
    tree = _tree(page)
    if tree is None:
        return []
    base = getattr(page, "url", "") or ""
    if host and "//" in host:  # a portal URL rather than a host name
        host = urlsplit(host).hostname or ""
    want = _bare_host(host or urlsplit(base).hostname or "")
    if not want:
        return []
    found: list[tuple[int, int, str]] = []
    seen = set()
    for order, el in enumerate(tree.iter(*kinds)):
        src = el.get("src")
        if not src or not isinstance(el.tag, str):
            continue
        url = _clean_url(src, base)
        if not url or url in seen:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or _bare_host(parts.hostname or "") != want:
            continue
        seen.add(url)
        found.append((_resource_score(url, el), order, url))
    found.sort()
    return [url for _score, _order, url in found[:limit]]


_LIKELY = re.compile(r"foot|bottom|jiucuo|common|public|_?gg\b|dibu|\bdb\b|tail|copyright", re.I)
_UNLIKELY = re.compile(r"jquery|swiper|layer|bootstrap|vue|echarts|(?:^|/)(?:ta|stat|count|visit)", re.I)


def _resource_score(url: str, el) -> int:
    path = urlsplit(url).path.lower()
    score = 50
    if _LIKELY.search(path):
        score -= 30
    if el.tag in ("iframe", "frame"):
        score -= 10
    if _UNLIKELY.search(path):
        score += 30
    return score


# --- scanning ------------------------------------------------------------------------------

def _scan_tree(root, base: str, from_string: str | None = None) -> list[tuple[str, str | None, str | None]]:
    """Candidates ``(variant, code, url)`` in document order; ``from_string`` overrides the variant
    for markup that came out of a script string."""
    out: list[tuple[str, str | None, str | None]] = []

    def add(variant, code, url):
        out.append((from_string or variant, code, url))

    for el in _X_IDS(root):
        ident = (el.get("id") or "").strip().lower()
        if ident == "_jiucuo_":
            code = _attr_code(el)
            if el.tag == "script":
                add("script", code, _clean_url(el.get("src"), base))
            elif code:
                add("span" if el.tag == "span" else "div", code, None)
        elif ident == "_span_jiucuo":
            add("span_placeholder", None, None)
    for el in _X_SCRIPTS(root):
        if (el.get("id") or "").strip().lower() != "_jiucuo_" and _JIUCUO_JS.search(el.get("src") or ""):
            code = _attr_code(el)
            if code:
                add("script", code, _clean_url(el.get("src"), base))
    for el in _X_HREFS(root):
        if el.tag in ("script", "img", "link") or not isinstance(el.tag, str):
            continue
        for name in ("href", "src", "action"):
            value = el.get(name) or ""
            if _ENTRY_URL.search(value):
                variant = "jcinfo_link" if _JCINFO.search(value) else "static_link"
                add(variant, _first_code(value), _clean_url(value, base))
                break
    for el in _X_ONCLICK(root):
        value = el.get("onclick") or ""
        if _ENTRY_URL.search(value):
            add("onclick_link", _first_code(value), _url_in(value, base))
            continue
        call = _LINK_CALL.search(value)
        if call and (call.group(1) or _looks_like_entry_image(el)):
            add("image_link", normalize_code(call.group(1)), None)
    for el in _X_CLASS_JIUCUO(root):
        if (el.get("id") or "").strip().lower() in ("_jiucuo_", "_span_jiucuo") or el.tag == "script":
            continue
        code = _attr_code(el)
        if code:
            add("placeholder", code, None)
    if from_string is None:
        for script in _X_SCRIPTS(root):
            if script.get("src") or not script.text:
                continue
            out.extend(_scan_js(script.text, base))
    return out


def _scan_js(js: str, base: str) -> list[tuple[str, str | None, str | None]]:
    """Markup inside a script's string literals (``document.write``, ``innerHTML`` strings)."""
    if not _JS_PREFILTER.search(js):
        return []
    variant = "document_write" if "document.write" in js else "script_string"
    out = []
    for text in js_string_runs(js):
        if "<" not in text or not _STRING_HINT.search(text):
            continue
        try:
            fragment = lxml.html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            continue
        out.extend(_scan_tree(fragment, base, from_string=variant))
    return out


def _pick(candidates, link_code: str | None) -> ErrorLink:
    if not candidates:
        return NOT_FOUND
    ranked = sorted(enumerate(candidates), key=lambda item: (_VARIANT_RANK.get(item[1][0], 9), item[0]))
    variant, code, url = ranked[0][1]
    if code is None:
        code = next((c for _i, (_v, c, _u) in ranked if c), None) or link_code
    if url is None:
        url = next((u for _i, (_v, _c, u) in ranked if u), None)
    return ErrorLink(True, code, url, variant)


def _link_function_code(tree) -> str | None:
    """The code inside an inline ``function Link() {… site_code=…}`` (for ``Link()`` without args)."""
    for script in _X_SCRIPTS(tree):
        text = script.text or ""
        if _LINK_FUNC.search(text):
            code = _first_code(text)
            if code:
                return code
    return None


def _looks_like_entry_image(el) -> bool:
    blob = " ".join(filter(None, (el.get("src"), el.get("alt"), el.get("title"), el.get("class"))))
    if re.search(r"jiucuo|找错", blob, re.I):
        return True
    parent = el.getparent()
    while parent is not None:
        if (parent.get("id") or "").strip().lower() == "_span_jiucuo":
            return True
        parent = parent.getparent()
    return False


def _attr_code(el) -> str | None:
    for name in _CODE_ATTRS:
        value = el.get(name)
        if value is None:
            continue
        code = normalize_code(value) or _first_code(value)
        if code:
            return code
    return None


def _first_code(text: str) -> str | None:
    for match in _CODE_NEAR_KEY.finditer(text or ""):
        code = normalize_code(match.group(1))
        if code:
            return code
    return None


def _url_in(text: str, base: str) -> str | None:
    match = re.search(r"""(?:https?:)?//[^'"\s)]+|[^'"\s()]*exposure/jiucuo\.html[^'"\s)]*""", text or "")
    return _clean_url(match.group(0), base) if match else None


def _clean_url(value, base: str) -> str | None:
    value = _WS.sub("", str(value or ""))
    if not value:
        return None
    try:
        return urljoin(base, value) if base else value
    except ValueError:
        return value


def _bare_host(host: str) -> str:
    host = (host or "").strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _tree(page):
    try:
        return page.tree
    except Exception:  # noqa: BLE001 - a broken page is a page without elements
        return None
