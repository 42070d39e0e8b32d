"""The homepage column for important State Council policy information (国务院信息 and the like).

The 2015 survey table and the 2019 check indicators ask for a *prominent* homepage column carrying
State Council releases. A column is a heading, tab, menu entry or image titled like 国务院信息 /
国务院要闻 / 国务院文件 / 国务院政策 / 国务院常务会议 / 国务院部门 (the whole title, not a news
title that mentions 国务院), or an embed of www.gov.cn's ``/pushinfo/`` list. A link to www.gov.cn
itself (中国政府网 among 友情链接) is not one; neither are ``<option>``s of a ministries dropdown.

``position`` without a browser (documented heuristic):

* ``below`` when the element sits in footer markup (``footer``/``foot``/``bottom``/``copyright``/
  ``sitemap`` in a tag, class or id), whatever else holds;
* ``nav`` when it sits in navigation markup (``<nav>``, or ``nav``/``menu``/``daohang`` in a class
  or id) within the first half of the page;
* ``first_screen`` when the visible text before it is at most a third of the page's visible text
  (script and style excluded): on portal homepages that is the header, navigation, the headline
  news area and the first row of column blocks;
* ``below`` otherwise.

``items`` counts the item links the column carries (its list, or its panel when it is a tab); a
pushinfo iframe carries items that are not in the HTML, so it counts 0 unless links sit beside it.
When several candidates exist the most prominent one carrying items wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

from lxml import etree

_TITLE_RE = re.compile(
    r"^(?:中国政府网)?(?:国务院|国务)"
    r"(?:信息|要闻|文件|政策(?:文件|解读|法规)?|常务会议|常务会|部门(?:信息|文件|动态|政策)?|动态|公报|最新政策)"
    r"(?:专栏|专题|发布|栏目|信息|列表|汇总)?$")
#: 国务院部门 alone names a ministries link list as often as a column: it needs article items
_NEEDS_ITEMS = re.compile(r"^国务院部门$")
_STRIP = re.compile(r"[\s\u3000【】\[\]「」<>《》·•|:：>»›+＋\-—_]+|(?:更多|more|MORE|More)$")
_MORE = re.compile(r"^(?:更多|more|查看更多|详细)", re.I)
_PUSHINFO = re.compile(r"(?:^|//|\.)gov\.cn\s*/\s*pushinfo/", re.I)
_FOOTER = re.compile(r"foot|bottom|copyright|sitemap|wzdt|dibu|(?:^|[\s_-])db(?:$|[\s_-])", re.I)
_NAV = re.compile(r"nav|menu|daohang|(?:^|[\s_-])dh(?:$|[\s_\-\d])", re.I)
_ACTIVE = re.compile(r"(?:^|[\s_-])(?:on|cur|current|active|hover|sel|selected|now)(?:$|[\s_-])", re.I)
_SKIP_TAGS = frozenset({"script", "style", "select", "option", "title", "head", "textarea", "noscript"})
_BLOCK_TAGS = frozenset({"div", "li", "td", "p", "section", "ul", "dl", "dd", "dt", "table", "tr"})

FIRST_SCREEN_FRACTION = 1 / 3
NAV_MAX_FRACTION = 0.5
_MAX_TITLE_CHARS = 24
_MAX_BLOCK_LINKS = 40

_X_EMBEDS = etree.XPath("//iframe[@src]|//frame[@src]|//script[@src]|//embed[@src]|//object[@data]")
_X_LINKS = etree.XPath(".//a[@href]")
_X_IMG_TITLES = etree.XPath("//img[@alt or @title]")
_X_BODY = etree.XPath("//body")
_TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:tit|title|hd|bt|head|lmtit)(?:$|[\s_-])", re.I)
_X_DATASTORE = etree.XPath(".//script[contains(translate(@type,'XML','xml'),'xml')]")
_RECORD = re.compile(r"<record\b", re.I)

_RANK = {"nav": 0, "first_screen": 1, "below": 2, None: 3}


@dataclass(frozen=True, slots=True)
class PolicyColumn:
    """The State Council policy column of a homepage: its title, link, item count and position
    (``nav``, ``first_screen``, ``below``). ``rendered``: found only after rendering."""

    found: bool = False
    title: str | None = None
    url: str | None = None
    items: int = 0
    position: str | None = None
    rendered: bool = False

    def to_json(self) -> dict:
        """``{found, title, url, items, position}`` (+ ``rendered`` when set)."""
        out = {"found": self.found, "title": self.title, "url": self.url, "items": self.items,
               "position": self.position}
        if self.rendered:
            out["rendered"] = True
        return out

    @classmethod
    def from_json(cls, data: dict | None) -> "PolicyColumn | None":
        if data is None:
            return None
        return cls(bool(data.get("found")), data.get("title"), data.get("url"), int(data.get("items") or 0),
                   data.get("position"), bool(data.get("rendered")))


NOT_FOUND = PolicyColumn()


def find_policy_column(page) -> PolicyColumn:
    """The State Council policy column on a homepage (the most prominent one)."""
    try:
        tree = page.tree
    except Exception:  # noqa: BLE001 - a broken page has no column
        return NOT_FOUND
    if tree is None:
        return NOT_FOUND
    try:
        candidates = _candidates(tree)
    except (ValueError, TypeError, etree.LxmlError):
        return NOT_FOUND
    if not candidates:
        return NOT_FOUND
    offsets, total = _text_offsets(tree)
    results = [PolicyColumn(True, title, url, items, _position(el, offsets, total))
               for el, title, url, items in candidates]

    def prominence(r: PolicyColumn):
        prominent = r.position in ("nav", "first_screen")
        return (not prominent, r.items == 0, _RANK[r.position], -r.items, r.title is None)
    best = min(results, key=prominence)
    if best.url and page.url:  # links are kept as written in the page; report them absolute
        try:
            best = replace(best, url=urljoin(page.url, best.url))
        except ValueError:
            pass
    return best


def normalize_title(text: str) -> str:
    text = _STRIP.sub("", text or "")
    return _STRIP.sub("", text)


def is_policy_title(text: str) -> bool:
    return bool(_TITLE_RE.match(normalize_title(text)))


# --- candidates -----------------------------------------------------------------------------

def _candidates(tree) -> list[tuple]:
    out = []
    seen = set()
    for el in tree.iter():
        if not isinstance(el.tag, str) or el in seen:
            continue
        own = el.text or ""
        if "国务" not in own and not any("国务" in (c.tail or "") for c in el):
            continue
        target = _title_element(el)
        if target is None or target in seen or _excluded(target):
            continue
        seen.add(target)
        cand = _from_title(target, normalize_title(target.text_content()))
        if cand:
            out.append(cand)
    for img in _X_IMG_TITLES(tree):
        text = img.get("alt") or img.get("title") or ""
        if is_policy_title(text) and not _excluded(img):
            cand = _from_title(img, normalize_title(text))
            if cand:
                out.append(cand)
    for el in tree.iter("a"):
        href = el.get("href") or ""
        if _PUSHINFO.search(href) and el not in seen and not _excluded(el):
            text = normalize_title(el.text_content() or el.get("title") or "")
            title = text if is_policy_title(text) else _nearby_title(el)
            out.append((el, title, _clean(href), _count_items(_heading_block(el))))
    for el in _X_EMBEDS(tree):
        src = el.get("src") or el.get("data") or ""
        if _PUSHINFO.search(src) and el.getparent() is not None and not _excluded(el.getparent()):
            parent = el.getparent()
            items = _count_items(parent) if parent is not None and el.tag == "script" else 0
            out.append((el, _nearby_title(el), _clean(src), items))
    return out


def _title_element(el):
    """``el`` or a short ancestor whose whole text is a policy-column title."""
    node = el
    for _ in range(3):
        if node is None or not isinstance(node.tag, str):
            return None
        text = node.text_content() or ""
        if len(text.strip()) > _MAX_TITLE_CHARS * 2:
            return None
        if is_policy_title(text):
            return node
        node = node.getparent()
    return None


def _excluded(el) -> bool:
    node = el
    depth = 0
    while node is not None:
        if node.tag in _SKIP_TAGS:
            return True
        if depth <= 2 and node.tag == "p" and len((node.text_content() or "").strip()) > 40:
            return True  # a word inside prose, not a column title
        node = node.getparent()
        depth += 1
    return False


def _from_title(el, title: str):
    link = _link_of(el)
    url = _clean(link.get("href")) if link is not None else None
    items = 0
    block = _tab_panel(el)
    if block is None and not _is_list_link(el):
        block = _heading_block(el)
    if block is not None:
        items = _count_items(block, exclude=el)
        more = _more_link(block) if url is None else None
        url = url or more
    if _NEEDS_ITEMS.match(title) and items == 0:
        return None
    if url is None:
        url = _more_link(el.getparent())
    return (el, title, url, items)


def _link_of(el):
    node = el
    for _ in range(3):
        if node is None:
            return None
        if node.tag == "a" and node.get("href") and not node.get("href").lower().startswith(("javascript", "#")):
            return node
        node = node.getparent()
    for a in el.iter("a"):
        if a.get("href"):
            return a
    return None


def _is_list_link(el) -> bool:
    """A plain link among sibling links (a sitemap or menu entry): it leads to a column only."""
    item = el
    for _ in range(3):
        if item is None:
            return False
        if item.tag in ("li", "dd"):
            break
        item = item.getparent()
    else:
        return False
    if item is None or item.getparent() is None:
        return False
    siblings = [s for s in item.getparent() if s is not item and isinstance(s.tag, str)]
    return sum(1 for s in siblings if s.find(".//a") is not None or s.tag == "a") >= 2


def _tab_panel(el):
    """For a tab (an entry in a short bar of short titles), the panel at the same index."""
    tab = el
    for _ in range(3):
        parent = tab.getparent()
        if parent is None:
            return None
        siblings = [s for s in parent if isinstance(s.tag, str) and s.tag == tab.tag]
        if 2 <= len(siblings) <= 10 and all(len((s.text_content() or "").strip()) <= 14 for s in siblings):
            break
        tab = parent
    else:
        return None
    index = siblings.index(tab)
    bar = tab.getparent()
    active = bool(_ACTIVE.search(tab.get("class") or "")) or index == 0
    for _ in range(3):
        panels = [s for s in bar.itersiblings() if isinstance(s.tag, str) and _has_items(s)]
        if len(panels) == 1 and len(siblings) > 1:
            inner = [c for c in panels[0] if isinstance(c.tag, str) and _has_items(c)]
            if len(inner) == len(siblings):
                panels = inner
        if len(panels) == len(siblings):
            return panels[index]
        if len(panels) == 1:
            return panels[0] if active else None
        if panels:
            return None
        bar = bar.getparent()
        if bar is None or bar.tag == "body":
            return None
    return None


def _heading_block(el):
    """The list that follows a heading: the first substantial sibling after the heading or one of
    its wrappers, as long as the climb stays inside this column's own box."""
    node = el
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            return None
        for sib in node.itersiblings():
            if not isinstance(sib.tag, str) or _is_blank(sib):
                continue
            if _has_items(sib) and not _has_other_title(sib, el):
                return sib
            break
        parent = node.getparent()
        if parent is None or _has_other_title(parent, el):
            return None
        node = parent
    return None


def _is_blank(el) -> bool:
    if el.tag in ("iframe", "embed", "object", "img"):
        return False
    if el.tag in ("script", "style") and not _X_DATASTORE(el.getparent() if el.getparent() is not None else el):
        return True
    return not (el.text_content() or "").strip() and not el.xpath(".//iframe|.//embed|.//object|.//img")


def _has_other_title(block, own) -> bool:
    """Whether ``block`` holds a heading other than ``own`` (then it is a box of several columns)."""
    for h in block.iter():
        if not isinstance(h.tag, str):
            continue
        if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or _TITLE_CLASS.search(h.get("class") or ""):
            if not (_inside(h, own) or _inside(own, h)):
                return True
    return False


def _inside(el, ancestor) -> bool:
    node = el
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def _has_items(el) -> bool:
    return bool(_X_LINKS(el)) or bool(_X_DATASTORE(el))


def _count_items(block, exclude=None) -> int:
    """Item links in a block, plus Hanweb ``<datastore>`` records (kept inside a text/xml script)."""
    if block is None:
        return 0
    count = sum(len(_RECORD.findall(s.text or "")) for s in _X_DATASTORE(block))
    for a in _X_LINKS(block):
        if exclude is not None and (_inside(a, exclude) or _inside(exclude, a)):
            continue
        text = (a.text_content() or a.get("title") or "").strip()
        if len(text) >= 5 and not _MORE.match(text) and not is_policy_title(text) and not _site_root(a.get("href")):
            count += 1
    return count if count <= _MAX_BLOCK_LINKS else 0


def _site_root(href) -> bool:
    """A link to a whole site (a ministry's homepage in a links box) is not an item."""
    try:
        parts = urlsplit((href or "").strip())
    except ValueError:
        return False
    return bool(parts.netloc) and parts.path in ("", "/") and not parts.query


def _more_link(block):
    if block is None:
        return None
    for a in _X_LINKS(block):
        if _MORE.match((a.text_content() or "").strip()):
            return _clean(a.get("href"))
    return None


def _nearby_title(el):
    node = el.getparent()
    for _ in range(3):
        if node is None:
            break
        for child in node.iter():
            if isinstance(child.tag, str) and child is not el and is_policy_title(child.text_content() or ""):
                return normalize_title(child.text_content())
        node = node.getparent()
    title = el.get("title") or ""
    return normalize_title(title) or None


def _clean(url):
    url = re.sub(r"\s+", "", url or "")
    return url or None


# --- position --------------------------------------------------------------------------------

def _text_offsets(tree) -> tuple[dict, int]:
    """Visible-text characters before each element (script/style excluded), and the total."""
    body = _X_BODY(tree)
    root = body[0] if body else tree
    offsets = {}
    count = 0
    skip_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):
            if event == "end" and not skip_depth:
                count += len((el.tail or "").strip())
            continue
        if event == "start":
            offsets[el] = count
            if el.tag in ("script", "style", "noscript", "template"):
                skip_depth += 1
            elif not skip_depth:
                count += len((el.text or "").strip())
        else:
            if el.tag in ("script", "style", "noscript", "template"):
                skip_depth -= 1
            if not skip_depth and el is not root:
                count += len((el.tail or "").strip())
    return offsets, count


def _position(el, offsets, total) -> str:
    fraction = offsets.get(el, 0) / total if total else 0.0
    node = el
    in_nav = False
    while node is not None and node.tag not in ("body", "html"):
        marks = " ".join(filter(None, (node.get("class"), node.get("id"))))
        if node.tag == "footer" or _FOOTER.search(marks):
            return "below"
        if node.tag == "nav" or _NAV.search(marks):
            in_nav = True
        node = node.getparent()
    if in_nav and fraction <= NAV_MAX_FRACTION:
        return "nav"
    return "first_screen" if fraction <= FIRST_SCREEN_FRACTION else "below"
