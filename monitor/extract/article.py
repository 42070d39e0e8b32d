"""An article page's dates: when the portal posted it, and the document's own date.

``posted`` is what the freshness rules need (首页/栏目更新: when did the portal publish the item), as a
cascade, most precise source first:

1. the labelled visible posting date (发布时间/发布日期/日期/时间…, then 更新时间): portals print what
   they count as the publication date, and the State Council checks judge the visible one, so it
   beats a disagreeing ``PubDate`` meta (often a page regeneration time);
2. CMS meta tags (``PubDate``, ``publishdate``, ``firstpublishedtime``…; never ``Maketime``);
3. the URL (``/art/2024/10/14/art_``, ``/t20200805_``, ``/content/2017-02/07/content_``…);
4. an unlabelled date right after the title (``标题 2023-12-05 来源：…``);
5. dateparser over a label's text that none of the hand-written forms matched.

``document_date`` is the document's own date, reported separately: a labelled 成文日期/发文日期/
生成日期/印发日期 (the 政府信息公开 attribute table), a bulletin's date in parentheses under its heading
(``（2023年4月12日）``), or the 落款 date closing the text. A notice is often posted weeks after it
was signed; dating it by its signature would make a fresh column look stale. It is used as
``posted`` only when nothing else dates the page.

Never a copyright year (not a full date), a date inside scripts, comments, footers or
related-article boxes, nor a date more than a day after ``page.now``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from monitor.clock import iso
from monitor.extract.dates import FULL_DATE_RE, day_of, make, not_future, parse_date, parse_loose
from monitor.extract.page import Page

#: text nodes holding a given string (where a labelled date was printed; checked in Python)
TEXT_WITH_XPATH = etree.XPath("/descendant::text()[contains(., $s)]")
CLASS_TITLE_XPATH = etree.XPath("//body//*[contains(@class, 'title') or contains(@id, 'title')"
                                " or contains(@class, 'Title')]")
_HIDDEN_TAGS = frozenset(("script", "style", "noscript", "select", "option", "textarea"))
TITLE_XPATH = etree.XPath("string(//title)")

#: a label followed by a colon (ASCII/full-width), spaces or brackets. Two-character labels (日期,
#: 时间, 发布) must not be the end of a longer word (招标公告日期, 活动时间 are not publication dates);
#: the compound labels stand on their own, also where table cells run together in the page's text
#: ("发文机关：市政府办公厅成文日期：…")
LABEL_RE = re.compile(
    r"(?:(?P<long>发布时间|发布日期|发表时间|发文日期|公开日期|发稿时间|成文日期|成文时间|印发日期|生成日期"
    r"|签发日期|更新时间|更新日期)"
    r"|(?<![\u4e00-\u9fff])(?:信息|文章|新闻|网站)?(?P<short>公告时间|发布于|发布|日期|时间))"
    r"\s*[:：]?\s*[\[【(（]?\s*")
#: lower is better; 更新时间 is only used when the page prints nothing else
LABEL_RANK = {"更新时间": 3, "更新日期": 3}
#: labels of the document's own date (signed, issued), not of its posting
#: (the date the document was finished first; 生成日期, when its disclosure record was generated, last)
DOCUMENT_RANK = {"成文日期": 10, "成文时间": 10, "发文日期": 11, "印发日期": 11, "签发日期": 12, "生成日期": 13}
#: a line that is only a date in 年月日 form: a bulletin's date under its heading, a 落款
_CLOSING_RE = re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_MAX_CLOSING_CANDIDATES = 4
#: how far below the heading a bulletin's own date may stand (past a 来源/作者 line)
_BULLETIN_CHARS = 60
_BULLETIN_RE = re.compile(r"[(（]\s*((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[)）]")
#: the 落款 closes the document: only the end of the page's text is searched for it
_CLOSING_SCAN_CHARS = 30_000
_BARE_DATE_RE = re.compile(r"^[\s(（\[【]*(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})"
                           r"\s*日[\s)）\]】]*$")
#: meta names (lower case) that carry the publication date, best first
META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time",
              "publishtime", "publish_time", "published", "datepublished", "dc.date.issued",
              "dc.date", "releasedate", "og:release_date")
_META_RANK = {name: i for i, name in enumerate(META_NAMES)}
#: ancestors whose class/id mark boxes that are not the article (related items, footers, side bars)
NOT_ARTICLE_RE = re.compile(
    r"relat|xgwz|xgxx|xgxw|xglj|xgyd|xgwj|tuijian|recommend|tjyd|hotnews|rdxw|foot|copyright|banquan"
    r"|bqxx|(?:^|[\s_-])(?:side|aside|rank|latest|zxxx)", re.I)
RELATED_HEAD_RE = re.compile(r"^\s*(相关(文章|新闻|阅读|链接|信息|稿件|文件|推荐)|推荐阅读|延伸阅读|热点新闻"
                             r"|最新(文章|信息|动态)|热门文章|上一篇|下一篇)")
#: article URL dates of the CMSs in use (Hanweb, TRS, www.gov.cn, others)
URL_DATE_RES = (
    re.compile(r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/art_"),
    re.compile(r"/t(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)_\d+"),
    re.compile(r"/(?P<y>\d{4})-(?P<m>\d\d)/(?P<d>\d\d)/(?:content_|\w+)"),
    re.compile(r"/(?P<y>\d{4})/(?P<m>\d\d)-(?P<d>\d\d)/"),
    re.compile(r"/(?P<y>\d{4})/(?P<m>\d\d)/(?P<d>\d\d)/"),
    re.compile(r"/(?P<y>20\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)/"),
)
#: characters between a title's end and its date line that still count as "right after the title"
NEAR_TITLE_CHARS = 120
_SPACE_RE = re.compile(r"\s+")
#: worth handing to dateparser: starts like a date, but not one of our (rejected) shapes
_LOOSE_START_RE = re.compile(r"[0-9〇零一二三四五六七八九十]|[A-Za-z]{3}")
_DATE_SHAPE_RE = re.compile(r"\d{1,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_OPENERS = frozenset("([（【[:：|")
_CLOSERS = frozenset(")]）】|")

DateValue = date | datetime | None


@dataclass(frozen=True, slots=True)
class Published:
    """An article's dates. ``posted``: when the portal posted it (aware datetime when a time is
    known, else a date); ``document_date``: the document's own date; ``source``: which step of the
    cascade gave ``posted`` (visible, meta, url, near_title, loose, document)."""

    posted: DateValue = None
    document_date: date | None = None
    source: str | None = None

    def to_json(self) -> dict:
        return {"published": iso(self.posted), "document_date": iso(self.document_date)}


NOTHING = Published()


def extract_published(page: Page) -> Published:
    """The dates of an article page (never raises: a broken page has no dates)."""
    try:
        return _extract(page)
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return NOTHING


def _extract(page: Page) -> Published:
    tree = page.tree
    if tree is None:
        from_url = url_date(page.url, page) if page.url else None
        return Published(from_url, None, "url") if from_url else NOTHING
    body = tree.find("body")  # the root is <html>: a direct child lookup, no XPath
    text = etree.tostring(body if body is not None else tree, method="text", encoding=str)
    labelled, unparsed, document = labelled_date(tree, page, text)
    meta = meta_date(tree, page)
    title = meta_title(tree)
    maybe_bulletin = _BULLETIN_RE.search(text) is not None
    head = _title_element(tree, title) if labelled is None or maybe_bulletin else None
    bulletin = bulletin_date(head, page) if maybe_bulletin else None
    if document is None:
        document = bulletin or closing_date(tree, page, text)
    document = day_of(document) if document is not None else None
    posted, source = _posted(head, title, page, labelled, meta, unparsed, bulletin)
    if posted is None and document is not None:
        posted, source = document, "document"
    return Published(posted, document, source)


def _posted(head, title: str, page: Page, labelled: DateValue, meta: DateValue, unparsed: list[str],
            bulletin: DateValue) -> tuple[DateValue, str | None]:
    if labelled is not None:
        return _with_time(labelled, meta), "visible"
    near = near_title_date(head, page, title) if head is not None else None
    if near is not None and (bulletin is None or day_of(near) != day_of(bulletin)):
        return _with_time(near, meta), "near_title"
    if meta is not None:
        return meta, "meta"
    from_url = url_date(page.url, page)
    if from_url is not None:
        return from_url, "url"
    for text in unparsed:  # slow dateparser, reached only when nothing else found a date
        value = parse_loose(text, page.now)
        if value is not None:
            return value, "loose"
    return None, None


def _with_time(visible: date | datetime, meta: DateValue) -> date | datetime:
    """A visible date without a time takes the meta's time when both name the same day."""
    if (not isinstance(visible, datetime) and isinstance(meta, datetime)
            and day_of(meta) == visible):
        return meta
    return visible


def _in_other_box(node) -> bool:
    """True when a text node is not article text: in a script, style, the head, a footer,
    a side bar or a related-articles box."""
    element = node.getparent() if node is not None else None
    if element is None:
        return False
    if node.is_tail:
        element = element.getparent()
    return _element_in_other_box(element)


def _element_in_other_box(element) -> bool:
    if element is not None and element.tag in _HIDDEN_TAGS:
        return True
    depth = 0
    while element is not None and element.tag != "body":
        if element.tag in ("head", "html", "title"):
            return True
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if marker.strip() and NOT_ARTICLE_RE.search(marker):
            return True
        if depth < 6 and len(element):
            first = element[0]
            if isinstance(first.tag, str) and RELATED_HEAD_RE.match(first.text or ""):
                return True
        element = element.getparent()
        depth += 1
    return False


def labelled_date(tree, page: Page, text: str | None = None) -> tuple[DateValue, list[str], DateValue]:
    """The best-ranked, first labelled posting date in the visible text, the label texts left
    unparsed, and the first labelled document date (成文日期…).

    Speed: the labels are found with ``str.find`` over libxml2's own text serialisation (comments
    excluded), and only the chosen candidate is checked in the tree (script, footer, related box),
    instead of walking every text node in Python. ``text``: that serialisation, when the caller
    has it already."""
    if text is None:
        body = tree.find("body")  # the root is <html>: a direct child lookup, no XPath
        text = etree.tostring(body if body is not None else tree, method="text", encoding=str)
    found, seen, unparsed = [], set(), []
    for key in ("时间", "日期", "发布"):
        at = text.find(key)
        while at >= 0:
            m = LABEL_RE.search(text, max(0, at - 4), at + 12)
            at = text.find(key, at + 2)
            if m is None or m.start() in seen:
                continue
            seen.add(m.start())
            dm = FULL_DATE_RE.match(text, m.end())
            if dm is None:
                rest = text[m.end():m.end() + 40]
                if _LOOSE_START_RE.match(rest) and not _DATE_SHAPE_RE.match(rest):
                    unparsed.append(rest)  # a form the hand-written patterns do not know
                continue
            value = not_future(make(int(dm["y"]), int(dm["m"]), int(dm["d"]), dm["H"], dm["M"],
                                    dm["S"]), page.now)
            if value is not None:
                label = m.group("long") or m.group("short")
                rank = DOCUMENT_RANK.get(label) or LABEL_RANK.get(label, 0 if len(label) > 2 else 1)
                found.append((rank, m.start(), value, text[dm.start():dm.end("d")]))
    posting = document = None
    for rank, _, value, needle in sorted(found, key=lambda c: c[:2]):
        if (document if rank >= 10 else posting) is not None:
            continue
        nodes = TEXT_WITH_XPATH(tree, s=needle)
        if not nodes or any(not _in_other_box(node) for node in nodes):
            if rank >= 10:
                document = value
            else:
                posting = value
        if posting is not None and document is not None:
            break
    return posting, unparsed, document


def bulletin_date(head, page: Page) -> DateValue:
    """A date standing alone in parentheses right under the heading element ``head``
    (``（2023年4月12日）``): the date a bulletin, a communiqué or a speech carries as its own, not
    when it was posted."""
    if head is None:
        return None
    m = _BULLETIN_RE.search(_text_after(head, _BULLETIN_CHARS))
    return not_future(make(int(m[1]), int(m[2]), int(m[3])), page.now) if m else None


def closing_date(tree, page: Page, text: str) -> DateValue:
    """The 落款 date: the last 年月日 date of the page's text (``text``, its serialisation) that
    stands alone in its element (after the issuing body's name), outside footers and side boxes.
    The candidates are found in the text, and only they are looked up in the tree."""
    tail = text[-_CLOSING_SCAN_CHARS:]
    candidates = list(_CLOSING_RE.finditer(tail))[-_MAX_CLOSING_CANDIDATES:]
    for m in reversed(candidates):
        for node in TEXT_WITH_XPATH(tree, s=m.group(0)):
            if not _BARE_DATE_RE.match(node):
                continue
            element = node.getparent()
            if node.is_tail:
                element = element.getparent()
            # the date is the whole line: its element holds nothing else
            if element is None or len(element.text_content()) > 40 or _element_in_other_box(element):
                continue
            value = not_future(make(int(m["y"]), int(m["m"]), int(m["d"])), page.now)
            if value is not None:
                return value
    return None


def meta_title(tree) -> str:
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle":
            return _SPACE_RE.sub(" ", meta.get("content") or "").strip()
    return ""


def near_title_date(head, page: Page, title: str = "") -> DateValue:
    """An unlabelled date printed right after the title heading element ``head``
    (``标题 2023-12-05 来源：…``)."""
    if head is None:
        return None
    # the heading's own text may end with the date ("标题 ( 2024-05-11)")
    own = _SPACE_RE.sub(" ", head.text_content())
    if title and title in own:
        own = own[own.index(title) + len(title):]
    for text in (own[-NEAR_TITLE_CHARS:], _text_after(head, NEAR_TITLE_CHARS)):
        for m in FULL_DATE_RE.finditer(text):
            # a date line stands alone ("标题 2023-12-05 来源"); a date inside a sentence of the
            # body ("2026年10月9日，市政府召开…", "即日起至…") is not the page's date
            before = text[m.start() - 1] if m.start() else " "
            after = text[m.end()] if m.end() < len(text) else " "
            if not (before.isspace() or before in _OPENERS) or not (after.isspace() or after in _CLOSERS):
                continue
            value = not_future(make(int(m["y"]), int(m["m"]), int(m["d"]), m["H"], m["M"], m["S"]),
                               page.now)
            if value is not None:
                return value
    return None


def _text_after(element, limit: int) -> str:
    """Up to ``limit`` visible characters following ``element`` in document order (a bounded walk,
    where a ``following::text()`` XPath would scan the rest of the document)."""
    parts, size, node = [], 0, element
    while node is not None and size < limit:
        if node.tail and node.tail.strip():
            parts.append(node.tail)
            size += len(node.tail.strip())
        sibling = node.getnext()
        while sibling is not None and size < limit:
            for inner in sibling.iter():
                if inner is not sibling and inner.tail and inner.tail.strip():
                    parts.append(inner.tail)
                    size += len(inner.tail.strip())
                if isinstance(inner.tag, str) and inner.tag not in _HIDDEN_TAGS and inner.text:
                    if inner.text.strip():
                        parts.append(inner.text)
                        size += len(inner.text.strip())
                if size >= limit:
                    break
            if sibling.tail and sibling.tail.strip():
                parts.append(sibling.tail)
                size += len(sibling.tail.strip())
            sibling = sibling.getnext()
        node = node.getparent()
        if node is not None and node.tag == "body":
            break
    return _SPACE_RE.sub(" ", " ".join(parts))[:limit]


def _title_element(tree, title: str):
    """The element holding the article title: the ArticleTitle meta's text, else h1…h3 or a
    .title element matching the <title>, else the first h1."""
    if not title:
        title = _SPACE_RE.sub(" ", TITLE_XPATH(tree)).strip()
        title = re.split(r"\s*[_|｜]\s*|\s+-\s+|\s*—\s*", title)[0] if title else ""
    key = title[:14]
    first_h1 = None
    for candidates in (lambda: tree.iter("h1", "h2", "h3"), lambda: CLASS_TITLE_XPATH(tree)):
        for element in candidates():
            text = _SPACE_RE.sub(" ", element.text_content()).strip()
            if not text or len(text) > 200:
                continue
            if key and key in text:
                return element
            if first_h1 is None and element.tag == "h1":
                first_h1 = element
    return first_h1


def meta_date(tree, page: Page) -> DateValue:
    """The best CMS meta date (any case, attribute order, quoting; ``Maketime`` never counts)."""
    best, best_rank = None, len(META_NAMES)
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        rank = _META_RANK.get(name.strip())
        if rank is None or rank >= best_rank:
            continue
        value = parse_date(meta.get("content") or "", page.now)
        if value is not None:
            best, best_rank = value, rank
    return best


def url_date(url: str, page: Page) -> date | None:
    """A date from an article URL of the known CMS forms (month-only ``/202411/`` gives none)."""
    if not url:
        return None
    path = url.split("?", 1)[0]
    for pattern in URL_DATE_RES:
        m = pattern.search(path)
        if m:
            value = not_future(make(int(m["y"]), int(m["m"]), int(m["d"])), page.now)
            if value is not None:
                return value
    return None
