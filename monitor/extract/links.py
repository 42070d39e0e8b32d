"""Which links on a portal page lead to its columns (section/list pages).

A column is a list page of a section: Hanweb ``/col/colNNN/``, TRS section directories
(``/zwdt/``, ``/xxgk/tzgg/index.html``), navigation and section links with a short title, and pages
that carry ``ColumnName`` meta (known once fetched). Article pages, files, scripts and anything off
the portal's registered host are never columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from monitor.extract.page import Page
from monitor.registry import same_host

ARTICLE_RE = re.compile(
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_|/t\d{8}_\d+|/content_\d+|/\d{4}-?\d{2}/\d{2}/[^/]*\d{5,}\.s?html?$|"
    r"/(?:detail|article|show|view)[^/]*\.(?:s?html?|jsp|php|aspx?)\b|[?&](?:id|articleid|infoid|docid)=",
    re.I)
FILE_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|bmp|svg|mp4|mp3|avi|"
                     r"flv|wmv|exe|apk|css|js|xml|json|txt|ico|wps|et|ofd)(?:$|\?)", re.I)
HANWEB_COLUMN_RE = re.compile(r"/col/col\d+/", re.I)
SECTION_INDEX_RE = re.compile(r"/(?:index(?:_\d+)?\.(?:s?html?|jsp|php|aspx?))?$", re.I)
NAV_XPATH = ("//*[self::nav or contains(translate(@class,'NAVMENU','navmenu'),'nav') or "
             "contains(translate(@class,'NAVMENU','navmenu'),'menu') or "
             "contains(translate(@id,'NAVMENU','navmenu'),'nav') or "
             "contains(translate(@id,'NAVMENU','navmenu'),'menu')]//a[@href]")
MORE_RE = re.compile(r"^(?:更多|more|更多>+|>>|更多\s*»|查看更多)", re.I)
SKIP_TEXT_RE = re.compile(r"^(?:首页|网站首页|返回首页|english|无障碍|登录|注册|关怀版|长者版|繁体|简体|"
                          r"网站地图|联系我们|设为首页|加入收藏|RSS|[\d\s]+)$", re.I)


@dataclass(frozen=True, slots=True)
class ColumnLink:
    url: str
    text: str
    reason: str  # hanweb | nav | section | more


def column_links(page: Page, host: str, limit: int = 40) -> list[ColumnLink]:
    """Column links on ``page`` that stay on ``host`` (``www.`` ignored), most certain first."""
    tree = page.tree
    if tree is None:
        return []
    nav_elems = set(tree.xpath(NAV_XPATH))
    found: dict[str, ColumnLink] = {}
    ranked: list[tuple[int, int, ColumnLink]] = []
    for order, a in enumerate(tree.iter("a")):
        href = page.absolute(a.get("href"))
        if not href or not href.startswith(("http://", "https://")):
            continue  # javascript:, mailto:, or relative links of a page without a URL
        url = urldefrag(href)[0]
        if not same_host(url, host) or FILE_RE.search(urlsplit(url).path) or ARTICLE_RE.search(url):
            continue
        text = " ".join(a.text_content().split())[:40] or (a.get("title") or "").strip()[:40]
        path = urlsplit(url).path or "/"
        if path == "/" or SKIP_TEXT_RE.match(text or ""):
            continue
        if HANWEB_COLUMN_RE.search(path):
            reason, rank = "hanweb", 0
        elif a in nav_elems and text:
            reason, rank = "nav", 1
        elif MORE_RE.match(text or ""):
            reason, rank = "more", 2
        elif SECTION_INDEX_RE.search(path) and text and len(text) <= 12:
            reason, rank = "section", 3
        else:
            continue
        if url in found:
            continue
        link = ColumnLink(url=url, text=text, reason=reason)
        found[url] = link
        ranked.append((rank, order, link))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [link for _, _, link in ranked[:limit]]
