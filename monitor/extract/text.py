"""A page's text as the detectors read it, with where each piece came from.

``text_of(page)`` walks the shared tree once (cached on the page): text of scripts, styles, templates
and comments is left out; block and table-cell boundaries become line breaks or tabs, so two
adjacent cells (``<td>张三</td><td>410105…</td>``) never run together into one longer number.
``where(offset)`` maps an offset back to a CSS-ish path of the element holding it, for evidence.
Text inside CSS-hidden elements is kept: injected spam is hidden on purpose.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from lxml import etree

from monitor.extract.page import Page

_SKIP = frozenset(("script", "style", "noscript", "template", "head"))
_BLOCK = frozenset(("p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                    "table", "tbody", "thead", "dl", "dt", "dd", "section", "article", "header",
                    "footer", "nav", "form", "title", "blockquote", "pre", "hr", "option"))
_CELL = frozenset(("td", "th"))
#: the attribute the cache lives under on a ``Page`` (``cached_property`` uses ``__dict__`` too)
_CACHE = "_monitor_text"


@dataclass(frozen=True, slots=True)
class PageText:
    """The page's text, and for each piece its start offset and element (in document order)."""

    text: str
    starts: tuple[int, ...]
    elements: tuple

    def element_at(self, offset: int):
        if not self.starts:
            return None
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.elements[max(i, 0)]

    def where(self, offset: int) -> str:
        element = self.element_at(offset)
        return css_path(element) if element is not None else ""


EMPTY = PageText("", (), ())


def text_of(page: Page) -> PageText:
    """The page's text (title and body, no scripts), computed once per page."""
    cached = page.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    try:
        result = _walk(page.tree) if page.tree is not None else EMPTY
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        result = EMPTY
    page.__dict__[_CACHE] = result
    return result


def _walk(root) -> PageText:
    parts: list[str] = []
    starts: list[int] = []
    elements: list = []
    length = 0

    def add(text: str, element) -> None:
        nonlocal length
        if text:
            parts.append(text)
            starts.append(length)
            elements.append(element)
            length += len(text)

    title = root.find(".//title")
    if title is not None and title.text:
        add(title.text.strip() + "\n", title)
    stack = [(root, False)]
    # iterative walk: deep pages must not hit the recursion limit
    while stack:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else None
        if closing:
            if tag in _BLOCK:
                add("\n", element)
            elif tag in _CELL:
                add("\t", element)
            parent = element.getparent()
            if element.tail and parent is not None:
                add(element.tail, parent)
            continue
        if tag is None:  # comment or processing instruction: only its tail is text
            parent = element.getparent()
            if element.tail and parent is not None:
                add(element.tail, parent)
            continue
        if tag in _SKIP:
            parent = element.getparent()
            if element.tail and parent is not None:
                add(element.tail, parent)
            continue
        if tag in _BLOCK or tag in _CELL:
            add("\n" if tag in _BLOCK else "\t", element)
        if element.text:
            add(element.text, element)
        stack.append((element, True))
        for child in reversed(element):
            stack.append((child, False))
    return PageText("".join(parts), tuple(starts), tuple(elements))


def css_path(element, depth: int = 5) -> str:
    """``div#main > ul.list > li:nth-of-type(3)``: the element and up to ``depth - 1`` ancestors."""
    steps = []
    while element is not None and isinstance(element.tag, str) and len(steps) < depth:
        tag = element.tag
        if tag in ("html", "body"):
            steps.append(tag)
            break
        step = tag
        ident = (element.get("id") or "").strip()
        classes = (element.get("class") or "").split()
        if ident:
            step += f"#{ident[:30]}"
        elif classes:
            step += f".{classes[0][:30]}"
        parent = element.getparent()
        if parent is not None and not ident:
            same = [c for c in parent if c.tag == tag]
            if len(same) > 1:
                step += f":nth-of-type({same.index(element) + 1})"
        steps.append(step)
        if ident:
            break
        element = parent
    return " > ".join(reversed(steps))
