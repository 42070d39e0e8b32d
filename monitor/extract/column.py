"""A column page's name, type, freshness limit and blankness.

Limits follow the 2019 check indicators (国办秘函〔2019〕19号) as vendors apply them: news/动态/要闻
columns 2 weeks, 通知公告 and 政策文件 6 months, 人事/规划计划 and other yearly columns 1 year. The
table is shipped editable in ``data/column_types.csv`` (``pattern,type,max_age_days``, a regular
expression over the column name, first match wins); an unknown name has no type and no limit.
A column with no entries, or one that says 暂无信息, is blank (five blank columns fail a site).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from monitor.extract.page import Page
from monitor.paths import COLUMN_TYPES_CSV


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """A column (list) page: its name, its type and update limit from the column-type table, and
    whether it says it is blank (暂无信息)."""

    name: str | None
    type: str | None
    max_age_days: int | None
    blank: bool

    def to_json(self) -> dict:
        return {"name": self.name, "type": self.type, "blank": self.blank}


@dataclass(frozen=True)
class ColumnType:
    pattern: re.Pattern
    type: str
    max_age_days: int | None


META_XPATH = etree.XPath("//meta[@content]")
#: breadcrumb containers: class/id names used by TRS, Hanweb and hand-made templates
CRUMB_XPATH = etree.XPath(
    "//body//*[contains(@class, 'crumb') or contains(@id, 'crumb') or contains(@class, 'position')"
    " or contains(@id, 'position') or contains(@class, 'location') or contains(@id, 'location')"
    " or contains(@class, 'dqwz') or contains(@class, 'bread') or contains(@class, 'path')"
    " or contains(@class, 'Position') or contains(@class, 'weizhi')]")
CRUMB_TEXT_XPATH = etree.XPath(
    "//body//text()[contains(., '当前位置') or contains(., '现在的位置') or contains(., '所在位置')]")
HEADING_XPATH = etree.XPath("(//body//h1 | //body//h2)[1]")
TITLE_XPATH = etree.XPath("string(//title)")
BLANK_XPATH = etree.XPath(
    "//body//text()[contains(., '暂无信息') or contains(., '暂无数据') or contains(., '暂无内容')"
    " or contains(., '暂无记录') or contains(., '没有信息') or contains(., '暂无相关')]"
    "[not(ancestor::script or ancestor::style)]")
_SPACE_RE = re.compile(r"\s+")
_TITLE_SPLIT_RE = re.compile(r"\s*(?:[_|｜]|\s-\s|——|—|－)\s*")
_CRUMB_SKIP = frozenset(("正文", "详情", "内容", "首页", "主页", "网站首页", "当前位置", "列表", "更多"))
_CRUMB_SPLIT_RE = re.compile(r"\s*(?:>|&gt;|》|→|->|»|›|/|＞)\s*")
_SITE_NAME_RE = re.compile(r"(人民政府|门户网站|政府网|官网|官方网站)$")


def load_column_types(path: str | Path | None = None) -> tuple[ColumnType, ...]:
    """The column-type table, parsed once per path (``data/column_types.csv`` by default)."""
    return _load(str(path or COLUMN_TYPES_CSV))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[ColumnType, ...]:
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            pattern = (row.get("pattern") or "").strip()
            if not pattern or pattern.startswith("#"):
                continue
            days = (row.get("max_age_days") or "").strip()
            rows.append(ColumnType(re.compile(pattern), (row.get("type") or "").strip() or None,
                                   int(days) if days else None))
    return tuple(rows)


def classify_column(name: str | None, path: str | Path | None = None) -> tuple[str | None, int | None]:
    """``(type, max_age_days)`` of a column name; ``(None, None)`` when no pattern matches."""
    if not name:
        return None, None
    for row in load_column_types(path):
        if row.pattern.search(name):
            return row.type, row.max_age_days
    return None, None


def extract_column(page: Page, entries=None) -> ColumnInfo:
    """Name (ColumnName meta, breadcrumb, heading, title minus site name), type, limit, blank."""
    try:
        tree = page.tree
        name = column_name(tree) if tree is not None else None
        blank = not entries or (tree is not None and bool(BLANK_XPATH(tree)))
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        name, blank = None, not entries
    kind, days = classify_column(name)
    return ColumnInfo(name=name, type=kind, max_age_days=days, blank=blank)


def _clean(text: str | None) -> str:
    return _SPACE_RE.sub(" ", text or "").strip()


def column_name(tree) -> str | None:
    site = None
    for meta in META_XPATH(tree):
        key = (meta.get("name") or "").lower()
        if key == "columnname" and _clean(meta.get("content")):
            return _clean(meta.get("content"))
        if key == "sitename":
            site = _clean(meta.get("content"))
    return _from_crumb(tree) or _from_heading(tree, site) or _from_title(tree, site)


def _from_crumb(tree) -> str | None:
    containers = list(CRUMB_XPATH(tree))
    for text in CRUMB_TEXT_XPATH(tree):
        parent = text.getparent()
        if parent is not None:
            containers.append(parent.getparent() if text.is_tail else parent)
    for box in containers:
        if box is None:
            continue
        links = [_clean(a.text_content()) for a in box.iter("a")]
        links = [t for t in links if t and t not in _CRUMB_SKIP and len(t) <= 30]
        if links:
            return links[-1]
        parts = [p for p in _CRUMB_SPLIT_RE.split(_clean(box.text_content()))
                 if p and p not in _CRUMB_SKIP and "位置" not in p]
        if 0 < len(parts) <= 8 and len(parts[-1]) <= 30:
            return parts[-1]
    return None


def _from_heading(tree, site: str | None) -> str | None:
    for element in HEADING_XPATH(tree):
        text = _clean(element.text_content())
        if text and len(text) <= 20 and text != site and not _SITE_NAME_RE.search(text):
            return text
    return None


def _from_title(tree, site: str | None) -> str | None:
    parts = [p for p in _TITLE_SPLIT_RE.split(_clean(TITLE_XPATH(tree))) if p]
    keep = [p for p in parts if p != site and not _SITE_NAME_RE.search(p)]
    return keep[0] if keep else None
