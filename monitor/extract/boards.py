"""Message boards (领导信箱, 咨询, 留言, 12345, 政民互动): where a portal links them, and what they list.

``find_boards(page)`` gives the links of a homepage (or any page) that lead to a message board or
to the 互动交流 hub listing them, with their absolute URLs (a board on a shared provincial platform
is on another host: ``external``; whether to read it is the registry's call, not this module's).

``read_board(page)`` reads one list page of a board: each message's title, URL, the date it was
asked, its status (已回复/已办结 → answered; 未回复/待处理 → unanswered; 处理中/已受理/已转办 →
processing) and the reply date when the list shows one, and the next-page links (bounded). The
layouts portals use:

- tables with a header row (标题 | 留言时间 | 办理状态 | 回复时间), columns found by their header;
- ``ul``/``li`` (and ``dl``) rows with labelled or bare dates and a status word beside the title;
- Hanweb ``<datastore>`` records (``<record><![CDATA[<li>…</li>]]></record>`` or ``<tr>``);
- TRS lists paging as ``index_1.html`` (``createPageHTML(count, index, "index", "html")``).

A row with no date and no status is not a message (menus, pagers). Unlabelled dates in a row are
read in order: the first is when it was asked, a second one when it was answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from monitor.clock import iso
from monitor.extract.dates import FULL_DATE_RE, find_dates, parse_list_date
from monitor.extract.page import Page
from monitor.extract.privacy import redact
from monitor.registry import same_host

# -- board links -----------------------------------------------------------------------------------

BOARD_TEXT_RE = re.compile(
    r"(?P<mailbox>(?:领导|书记|省长|市长|州长|县长|区长|旗长|盟长|局长|厅长|主任|镇长|乡长)信箱|信箱|我要写信|写信)"
    r"|(?P<consult>12345|咨询|我要咨询|问政|政务热线)"
    r"|(?P<message>留言|网上信访|投诉|建言献策|诉求|民声|民意)"
    r"|(?P<hub>政民互动|互动交流|互动平台|公众参与)")
#: boards that are not message boards (no questions to answer)
NOT_BOARD_RE = re.compile(r"访谈|征集|调查|问卷|直播|热线电话|咨询电话|知识库|常见问题|热点问答|智能问答")
BOARD_URL_RE = re.compile(r"/(?:hdjl|zmhd|hudong|gzcy|liuyan|ly|xjxx|szxx|ldxx|ldxj|xinxiang|mailbox|"
                          r"letter|guestbook|consult|zxzx|wsxf|12345)(?:[/._?-]|$)", re.I)
#: a link text longer than this is an article title, not a board
MAX_BOARD_TEXT = 16
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class BoardLink:
    """A link to a message board or the hub listing them."""

    url: str
    text: str
    kind: str  # mailbox | consult | message | hub | url
    external: bool = False  # on another host than the page (a shared provincial platform)

    def to_json(self) -> dict:
        return {"url": self.url, "text": self.text, "kind": self.kind, "external": self.external}


def find_boards(page: Page, limit: int = 20) -> list[BoardLink]:
    """The page's links to message boards, in document order, one per URL."""
    try:
        return _find_boards(page, limit)
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return []


def _find_boards(page: Page, limit: int) -> list[BoardLink]:
    tree = page.tree
    if tree is None:
        return []
    host = urlsplit(page.url).hostname or ""
    found: dict[str, BoardLink] = {}
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        text = _SPACE_RE.sub("", anchor.text_content()) or _SPACE_RE.sub("", anchor.get("title") or "")
        url = page.absolute(href)
        if not url or not url.startswith(("http://", "https://", "/")):
            continue
        url = urldefrag(url)[0]
        if url in found or NOT_BOARD_RE.search(text):
            continue
        kind = None
        if text and len(text) <= MAX_BOARD_TEXT:
            m = BOARD_TEXT_RE.search(text)
            if m is not None:
                kind = m.lastgroup
        if kind is None and BOARD_URL_RE.search(urlsplit(url).path + "?" + urlsplit(url).query) \
                and len(text) <= MAX_BOARD_TEXT:
            kind = "url"
        if kind is None:
            continue
        external = bool(host) and url.startswith("http") and not same_host(url, host)
        found[url] = BoardLink(url=url, text=text[:MAX_BOARD_TEXT], kind=kind, external=external)
        if len(found) >= limit:
            break
    return list(found.values())


# -- messages --------------------------------------------------------------------------------------

ANSWERED, UNANSWERED, PROCESSING = "answered", "unanswered", "processing"
#: status words, most specific first (未办结 before 办结)
STATUS_RES = (
    (UNANSWERED, re.compile(r"未回复|未答复|待回复|待答复|未办结|待办结|未处理|待处理|未反馈|待反馈|未办理|待办理|未回")),
    (PROCESSING, re.compile(r"处理中|办理中|受理中|正在处理|正在办理|已受理|已转办|已交办|转办中|已签收|已分办|"
                            r"审核中|待审核|已转交")),
    (ANSWERED, re.compile(r"已回复|已答复|已办结|办结|已处理|已反馈|已回信|已回|已完成|已解决|已办理|已公开|已结案|"
                          r"不予受理|不予办理|已驳回")),  # declined is closed: the asker has an answer
)
_ASKED_LABEL = r"留言|提问|来信|写信|提交|发布|咨询|投诉|登记|受理|发表|来件|诉求"
_REPLY_LABEL = r"回复|答复|办结|处理|反馈|回信|回应|解答"
LABELLED_DATE_RE = re.compile(
    r"(?:(?P<reply>" + _REPLY_LABEL + r")|(?P<asked>" + _ASKED_LABEL + r"))(?:时间|日期)\s*[:：]?\s*$")
_HEADER_TITLE_RE = re.compile(r"标题|主题|事项|内容|名称|信件|留言|问题")
_HEADER_STATUS_RE = re.compile(r"状态|是否|情况|进度")
_HEADER_DATE_RE = re.compile(r"时间|日期")
MAX_ROWS = 500


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a board list: its title and link, when it was asked, its status (answered /
    unanswered / processing, None when the list shows none) and the reply date when shown."""

    title: str
    url: str
    asked: date | datetime | None
    status: str | None = None
    status_text: str = ""
    replied: date | datetime | None = None

    @property
    def answered(self) -> bool | None:
        """True when answered, False when shown open, None when the list does not say."""
        if self.status == ANSWERED or (self.status is None and self.replied is not None):
            return True
        if self.status in (UNANSWERED, PROCESSING):
            return False
        return None

    def to_json(self) -> dict:
        return {"title": self.title, "url": self.url, "asked": iso(self.asked), "status": self.status,
                "status_text": self.status_text, "replied": iso(self.replied)}

    @classmethod
    def from_json(cls, data: dict | None) -> "Message | None":
        if not data:
            return None
        return cls(title=str(data.get("title") or ""), url=str(data.get("url") or ""),
                   asked=_from_iso(data.get("asked")), status=data.get("status"),
                   status_text=str(data.get("status_text") or ""),
                   replied=_from_iso(data.get("replied")))


def _from_iso(value) -> date | datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in str(value) else date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class BoardPage:
    """One list page of a board: its messages, the next list pages (bounded), the layout read."""

    messages: tuple[Message, ...] = ()
    next_pages: tuple[str, ...] = ()
    layout: str | None = None  # table | list | datastore | None

    def to_json(self) -> dict:
        return {"messages": [m.to_json() for m in self.messages], "next_pages": list(self.next_pages),
                "layout": self.layout}


def status_of(text: str) -> tuple[str | None, str]:
    """(normalised status, the word shown) of a status cell or row text."""
    for status, regex in STATUS_RES:
        m = regex.search(text)
        if m is not None:
            return status, m.group(0)
    return None, ""


def read_board(page: Page, max_pages: int = 5) -> BoardPage:
    """The messages of a board list page and up to ``max_pages - 1`` next pages. Never raises."""
    try:
        tree = page.tree
        if tree is None:
            return BoardPage()
        messages, layout = [], None
        for script in tree.xpath("//script[contains(., 'record')]"):
            found = _datastore_messages(script.text or "", page)
            if found:
                messages.extend(found)
                layout = "datastore"
        if not messages:
            messages, layout = _messages_in(tree, page)
        if messages and not any(m.status or m.replied for m in messages) and not _is_board_page(tree):
            messages = []  # a dated news list, not a board: nothing says these are messages
        return BoardPage(messages=tuple(_dedupe(messages)), next_pages=tuple(next_pages(page, max_pages)),
                         layout=layout if messages else None)
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return BoardPage()


BOARD_PAGE_RE = re.compile(r"信箱|留言|咨询|来信|写信|回复|答复|信访|12345|互动|诉求|投诉")


def _is_board_page(tree) -> bool:
    """The page says it is a board (its title, headings or table headers)."""
    words = " ".join([tree.xpath("string(//title)")] + [h.text_content() for h in tree.iter("h1", "h2", "h3", "th")])
    return BOARD_PAGE_RE.search(words[:2000]) is not None


def _dedupe(messages: list[Message]) -> list[Message]:
    seen, out = set(), []
    for m in messages:
        key = (m.title, m.url, m.asked)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


_RECORD_RE = re.compile(r"<record(?:\s[^>]*)?>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.S | re.I)


def _datastore_messages(text: str, page: Page) -> list[Message]:
    if "<datastore" not in text and "<recordset" not in text:
        return []
    records = _RECORD_RE.findall(text)
    if not records:
        return []
    body = "".join(records)
    wrapped = f"<table>{body}</table>" if body.lstrip().lower().startswith("<tr") else f"<ul>{body}</ul>"
    try:
        fragment = lxml.html.fragment_fromstring(wrapped, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    messages, _ = _messages_in(fragment, page)
    return messages


def _messages_in(root, page: Page) -> tuple[list[Message], str | None]:
    messages: list[Message] = []
    layout = None
    for table in root.iter("table"):
        messages.extend(_table_messages(table, page))
    if messages:
        layout = "table"
    listed = []
    for row in root.iter("li", "dl"):
        if row.tag == "dl" or row.find(".//li") is None:
            message = _row_message(row, page)
            if message is not None:
                listed.append(message)
        if len(listed) >= MAX_ROWS:
            break
    cards = [m for m in (_row_message(div, page) for div in _cards(root)) if m is not None][:MAX_ROWS]
    score = lambda found: sum(2 if m.status else 1 for m in found)  # noqa: E731
    best = max(((messages, layout), (listed, "list"), (cards, "cards")), key=lambda c: score(c[0]))
    return best if best[0] else (messages, layout)


_CARD_LABEL_RE = re.compile(r"(?:" + _ASKED_LABEL + r")(?:时间|日期)")


def _cards(root) -> list:
    """Message cards laid out with <div>s (a title link, then 留言人/留言时间/答复时间 spans): the
    smallest <div> around exactly one title link whose parent holds several."""
    counted: dict = {}

    def links(element) -> int:  # each parent is asked once per child: counted once
        if element not in counted:
            counted[element] = sum(1 for a in element.iter("a") if len(_SPACE_RE.sub("", a.text_content())) >= 4)
        return counted[element]

    out = []
    for div in root.iter("div"):
        if links(div) == 1 and div.getparent() is not None and links(div.getparent()) > 1 \
                and _CARD_LABEL_RE.search(div.text_content()):
            out.append(div)
        if len(out) >= MAX_ROWS:
            break
    return out


def _cells(tr) -> list:
    return [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _header(table) -> tuple[dict, object] | tuple[None, None]:
    """Column roles of a table from its first row with header words: {role: index}."""
    for tr in table.iter("tr"):
        cells = _cells(tr)
        if not cells:
            continue
        texts = [_SPACE_RE.sub("", c.text_content()) for c in cells]
        if any(len(t) > 12 for t in texts) or tr.find(".//a[@href]") is not None:
            return None, None
        roles: dict[str, int] = {}
        for i, text in enumerate(texts):
            if _HEADER_DATE_RE.search(text):
                if re.search(_REPLY_LABEL, text):
                    roles.setdefault("replied", i)
                else:
                    roles.setdefault("asked", i)
            elif _HEADER_STATUS_RE.search(text):
                roles.setdefault("status", i)
            elif _HEADER_TITLE_RE.search(text):
                roles.setdefault("title", i)
        if "asked" in roles or "status" in roles:
            return roles, tr
        return None, None
    return None, None


def _table_messages(table, page: Page) -> list[Message]:
    if table.find(".//table") is not None:
        return []  # a layout table around the real one: the inner table is read on its own
    roles, header = _header(table)
    if roles is None:
        # no header row (a Hanweb datastore's <tr> records, whose header is a table of its own):
        # each row is read like a list item, by its labelled dates and status words
        rows = (_row_message(tr, page) for tr in table.iter("tr"))
        return [m for m in rows if m is not None][:MAX_ROWS]
    out = []
    for tr in table.iter("tr"):
        if tr is header:
            continue
        cells = _cells(tr)
        anchor = _title_anchor(tr)
        if not cells or anchor is None:
            continue
        title = _anchor_text(anchor)
        cell = lambda role: (_SPACE_RE.sub(" ", cells[roles[role]].text_content()).strip()  # noqa: E731
                             if role in roles and roles[role] < len(cells) else "")
        asked = parse_list_date(cell("asked"), page.now) if cell("asked") else None
        replied = parse_list_date(cell("replied"), page.now) if cell("replied") else None
        status, shown = status_of(cell("status")) if "status" in roles else (None, "")
        if asked is None and status is None:
            continue
        out.append(Message(title=title, url=_absolute(page, anchor.get("href")), asked=asked,
                           status=status, status_text=shown, replied=replied))
        if len(out) >= MAX_ROWS:
            break
    return out


def _row_message(row, page: Page) -> Message | None:
    anchor = _title_anchor(row)
    if anchor is None:
        return None
    title = _anchor_text(anchor)
    text = _SPACE_RE.sub(" ", row.text_content())
    outside = text.replace(_SPACE_RE.sub(" ", anchor.text_content()), " ", 1)
    asked = replied = None
    bare = []
    for offset, value in find_dates(outside, page.now):
        label = LABELLED_DATE_RE.search(outside[max(0, offset - 8):offset])
        if label is not None and label.group("reply"):
            replied = replied or value
        elif label is not None and label.group("asked"):
            asked = asked or value
        else:
            bare.append(value)
    if asked is None and bare:
        asked = bare.pop(0)
    if replied is None and bare:
        replied = bare.pop(0)
    if asked is None:
        asked = _month_day(outside, page)
    status, shown = status_of(_without_labels(outside))
    if asked is None and status is None:
        return None
    return Message(title=title, url=_absolute(page, anchor.get("href")), asked=asked, status=status,
                   status_text=shown, replied=replied)


_LABEL_WORDS_RE = re.compile(r"(?:" + _REPLY_LABEL + r")(?:时间|日期|单位|部门)")


def _without_labels(text: str) -> str:
    """Row text without 回复时间/处理单位 labels, so a label is never read as a status."""
    return _LABEL_WORDS_RE.sub(" ", text)


def _month_day(text: str, page: Page):
    if FULL_DATE_RE.search(text):
        return None
    return parse_list_date(text, page.now)


def _title_anchor(row):
    """The row's title link: its longest link text of at least 4 characters."""
    best, best_len = None, 3
    for anchor in row.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:")):
            continue
        length = len(_anchor_text(anchor))
        if length > best_len:
            best, best_len = anchor, length
    return best


def _anchor_text(anchor) -> str:
    """The link's title text, any personal number in it masked (titles are stored as evidence)."""
    text = _SPACE_RE.sub(" ", anchor.text_content()).strip()
    attr = _SPACE_RE.sub(" ", anchor.get("title") or "").strip()
    if not text or (text.endswith(("...", "…")) and attr):
        return redact(attr)
    return redact(text)


def _absolute(page: Page, href: str | None) -> str:
    href = (href or "").strip()
    if href.startswith("javascript:"):
        return ""
    return page.absolute(href) or ""


# -- next pages ------------------------------------------------------------------------------------

NEXT_TEXT_RE = re.compile(r"^(?:下一页|下页|后页|后一页|下一頁|next|›|»|>|>>)$", re.I)
TRS_PAGER_RE = re.compile(r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*"
                          r"['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
TRS_COUNT_RE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
TRS_CURRENT_RE = re.compile(r"var\s+currentPage\s*=\s*(\d+)")
PAGE_NUMBER_RE = re.compile(r"^\[?\d{1,3}\]?$")
HANWEB_NEXT_RE = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?\s*<a[^>]*href=['\"]([^'\"]+)['\"]", re.I)


def next_pages(page: Page, max_pages: int = 5) -> list[str]:
    """Absolute URLs of the following list pages, at most ``max_pages - 1`` (the page itself is the
    first): a 下一页 link, TRS ``index_N.html`` pages, a Hanweb datastore's next group."""
    limit = max(0, max_pages - 1)
    if limit == 0 or page.tree is None:
        return []
    out: list[str] = []

    def add(url: str | None) -> None:
        if url and url.startswith(("http://", "https://")) and url != page.url and url not in out:
            out.append(url)

    html = page.html
    m = TRS_PAGER_RE.search(html)
    count = current = None
    name, ext = "index", "html"
    if m is not None:
        count, current, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    else:
        c = TRS_COUNT_RE.search(html)
        if c is not None:
            count = int(c.group(1))
            cur = TRS_CURRENT_RE.search(html)
            current = int(cur.group(1)) if cur else 0
    if count is not None and current is not None and page.url:
        for index in range(current + 1, min(count, current + 1 + limit)):
            add(urljoin(page.url, f"{name}_{index}.{ext}"))
    numbered = []  # a pager's numbered links (2 3 4 …): the pages after this one, in order
    for anchor in page.tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        content = _SPACE_RE.sub("", anchor.text_content())
        if NEXT_TEXT_RE.match(content or (anchor.get("title") or "").strip()):
            add(page.absolute(href))
        elif PAGE_NUMBER_RE.match(content):
            numbered.append((int(content.strip("[]")), page.absolute(href)))
    for m in HANWEB_NEXT_RE.finditer(html):
        add(page.absolute(m.group(1).replace("&amp;", "&")))
    for number, url in sorted(numbered):
        if number > 1:
            add(url)
    return out[:limit]
