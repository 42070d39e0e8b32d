"""The entries of a list page or homepage block: title, absolute URL, date.

A row is the ``li``/``tr``/``dd`` (or the smallest block) around one title link; its date is the
text beside the link (``<span>2024-05-01</span>``, ``[2019-06-10]``, a table's 发布日期 column,
month-day ``02-25`` with the year from ``page.now``, never in the future). A group of sibling rows
is a list when at least half of its rows carry a date, so navigation menus never count; undated
rows of a dated list are kept with ``published=None`` (the rules count them as not updated).

Hanweb JCMS keeps its items in ``<script type="text/xml"><datastore>…<record><![CDATA[<li>…</li>]]>``
(parsed here as a fragment); www.gov.cn list JSON (``[{TITLE, URL, DOCRELPUBTIME}]``) is read too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from monitor.extract.dates import (FULL_DATE_RE, MONTH_DAY_RE, parse_date, parse_list_date)
from monitor.clock import iso
from monitor.extract.page import Page


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a list page: its link text, absolute URL and the date printed beside it."""

    title: str
    url: str
    published: date | datetime | None

    def to_json(self) -> dict:
        return {"title": self.title, "url": self.url, "published": iso(self.published)}


LINK_XPATH = etree.XPath("//body//a[@href] | //a[@href][not(ancestor::body)]")
DATASTORE_XPATH = etree.XPath("//script[contains(., 'record')]")
RECORD_RE = re.compile(r"<record[^>]*>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.S | re.I)
#: link texts that are navigation, not items
NAV_TEXT_RE = re.compile(r"^(更多|more|首页|上一页|下一页|尾页|末页|前一页|后一页|返回|打印|关闭|详细|详情"
                         r"|查看|点击|\d+|[>»›]+|更多\s*[>»›]+)$", re.I)
_SPACE_RE = re.compile(r"\s+")
_TRUNCATED_RE = re.compile(r"(\.\.\.|…+|。。。)$")
_BRACKETS = "[]【】()（）"
#: elements that end a row search (the row is below them)
_CONTAINERS = frozenset(("ul", "ol", "table", "tbody", "thead", "dl", "body", "html", "form"))
_ROW_TAGS = frozenset(("li", "tr", "dd", "dt"))
MAX_LINKS = 5000


def extract_entries(page: Page) -> list[Entry]:
    """Every dated-list entry on the page, in document order (Hanweb datastore items first)."""
    try:
        stripped = page.html.lstrip("\ufeff \r\n\t")
        if stripped[:1] in ("[", "{"):
            return _json_entries(stripped, page)
        tree = page.tree
        if tree is None:
            return []
        entries = []
        for script in DATASTORE_XPATH(tree):
            entries.extend(_datastore_entries(script.text or "", page))
        entries.extend(_entries_in(tree, page))
        return _dedupe(entries)
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return []


def _dedupe(entries: list[Entry]) -> list[Entry]:
    seen, out = set(), []
    for entry in entries:
        key = (entry.title, entry.url)
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


def _datastore_entries(text: str, page: Page) -> list[Entry]:
    if "<datastore" not in text and "<recordset" not in text:
        return []
    records = RECORD_RE.findall(text)
    if not records:
        return []
    try:
        fragment = lxml.html.fragment_fromstring("<ul>" + "".join(records) + "</ul>",
                                                 create_parent="body")
    except (etree.ParserError, ValueError):
        return []
    if page.url:
        fragment.make_links_absolute(page.url, handle_failures="ignore")
    return _entries_in(fragment, page, datastore=True)


def _link_title(anchor) -> str:
    text = _SPACE_RE.sub(" ", anchor.text_content()).strip()
    attr = _SPACE_RE.sub(" ", anchor.get("title") or "").strip()
    if not text or (_TRUNCATED_RE.search(text) and attr):
        return attr
    return text


def _is_title(text: str) -> bool:
    return len(text) >= 4 and not NAV_TEXT_RE.match(text) and not FULL_DATE_RE.fullmatch(text)


def _row_of(anchor, candidates: set) -> etree._Element:
    """The smallest li/tr/dd or block holding this one title link."""
    row = anchor
    for _ in range(6):
        parent = row.getparent()
        if parent is None or parent.tag in _CONTAINERS:
            break
        links = 0
        for a in parent.iter("a"):
            if a in candidates:
                links += 1
                if links > 1:
                    break
        if links > 1:
            break
        row = parent
        if row.tag in _ROW_TAGS:
            break
    return row


def _date_column(row) -> int | None:
    """The index of a table's 发布日期/发布时间 column, from its header row."""
    table = row.getparent()
    if table is None:
        return None
    for tr in table.iter("tr"):
        cells = [c for c in tr if c.tag in ("th", "td")]
        if any(c.tag == "th" for c in cells) or tr.getparent().tag == "thead":
            for i, cell in enumerate(cells):
                if "发布" in cell.text_content() and ("日期" in cell.text_content()
                                                    or "时间" in cell.text_content()):
                    return i
            return None
        if tr is row:
            return None
    return None


def _row_date(row, anchor, title: str, now: datetime) -> tuple[date | datetime | None, str]:
    """(date, title) for a row: the date beside the link, else one at the link text's end."""
    if row.tag == "tr":
        column = _date_column(row)
        cells = [c for c in row if c.tag in ("th", "td")]
        if column is not None and column < len(cells):
            value = parse_list_date(cells[column].text_content(), now)
            if value is not None:
                return value, title
    if row is not anchor:
        row_text = row.text_content()
        anchor_text = anchor.text_content()
        outside = row_text.replace(anchor_text, " ", 1) if anchor_text else row_text
        value = parse_list_date(outside, now)
        if value is not None:
            return value, title
    nxt = row.getnext()  # <dt><a>title</a></dt><dd>date</dd>, <a>title</a><span>date</span>
    if nxt is not None and nxt.tag in ("dd", "span", "em", "i", "font") and len(nxt) == 0:
        text = nxt.text_content()
        if len(text) < 30:
            value = parse_list_date(text, now)
            if value is not None:
                return value, title
    # the date inside the link: <a><span>title</span><span>2024-05-01</span></a>, "title [2024-05-01]"
    if len(anchor):
        last = anchor[len(anchor) - 1]
        text = last.text_content() if isinstance(last.tag, str) else ""
        if text.strip() and len(text) < 30:
            value = parse_list_date(text, now)
            if value is not None:
                return value, title.replace(_SPACE_RE.sub(" ", text).strip(), "").strip()
    m = _trailing_date(title)
    if m is not None:
        value = parse_date(m.group(0), now)
        if value is not None:
            return value, title[:m.start()].strip()
    return None, title


_TRAILING_RE = re.compile(r"[\[【(（]?\s*" + FULL_DATE_RE.pattern + r"\s*[\]】)）]?\s*$")
_TRAILING_MD_RE = re.compile(r"[\[【(（]\s*" + MONTH_DAY_RE.pattern + r"\s*[\]】)）]\s*$")


def _trailing_date(title: str):
    return _TRAILING_RE.search(title) or _TRAILING_MD_RE.search(title)


def _entries_in(root, page: Page, datastore: bool = False) -> list[Entry]:
    anchors = []
    for anchor in LINK_XPATH(root) if not datastore else root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = _link_title(anchor)
        if _is_title(title):
            anchors.append((anchor, title, href))
        if len(anchors) >= MAX_LINKS:
            break
    candidates = {a for a, _, _ in anchors}
    groups: dict = {}
    order = []
    for anchor, title, href in anchors:
        row = _row_of(anchor, candidates)
        published, title = _row_date(row, anchor, title, page.now)
        if not title:
            continue
        if page.url and not href.startswith(("http://", "https://")):
            href = urljoin(page.url, href)
        key = row.getparent()
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(Entry(title=title, url=href, published=published))
    entries = []
    for key in order:
        rows = groups[key]
        dated = sum(1 for e in rows if e.published is not None)
        if dated and dated * 2 >= len(rows):
            entries.extend(rows)
    return entries


def _json_entries(text: str, page: Page) -> list[Entry]:
    """www.gov.cn release lists: arrays of ``{TITLE, URL, DOCRELPUBTIME}``, possibly nested."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    items = data if isinstance(data, list) else next(
        (v for v in data.values() if isinstance(v, list)), []) if isinstance(data, dict) else []
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        fields = {str(k).lower(): v for k, v in item.items()}
        title = _SPACE_RE.sub(" ", str(fields.get("title") or "")).strip()
        url = str(fields.get("url") or "").strip()
        when = str(fields.get("docrelpubtime") or fields.get("pubdate") or fields.get("date") or "")
        if title and url:
            entries.append(Entry(title=title, url=urljoin(page.url, url) if page.url else url,
                                 published=parse_date(when, page.now)))
    return _dedupe(entries)
