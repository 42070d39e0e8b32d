"""Site facts from meta tags and footers: the site name and its 网站标识码.

The 网站标识码 is 10 characters: a 6-digit division code plus 4 digits (``4401000004``), or ``bm`` plus
8 digits for State Council departments (``bm17000009``), as issued under the 2015 website
management rules (国办发〔2014〕57号 survey, 国办发〔2017〕47号 guidelines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from monitor.extract.page import Page


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """The site's name and 网站标识码 as its pages declare them."""

    name: str | None
    site_code: str | None

    def to_json(self) -> dict:
        return {"name": self.name, "site_code": self.site_code}


META_XPATH = etree.XPath("//meta[@content]")
TITLE_XPATH = etree.XPath("string(//title)")
CODE_TEXT_XPATH = etree.XPath(
    "//body//text()[contains(., '标识码')][not(ancestor::script or ancestor::style)]")
JIUCUO_XPATH = etree.XPath("//*[@id='_jiucuo_'][@sitecode]/@sitecode")
SITE_CODE_RE = re.compile(r"(?<![0-9A-Za-z])(\d{10}|bm\d{8}|BM\d{8})(?![0-9A-Za-z])")
LABELLED_CODE_RE = re.compile(r"标识码\s*[:：]?\s*(\d{10}|bm\d{8}|BM\d{8})(?!\d)")
_SITE_NAME_RE = re.compile(r"(人民政府|门户网站|政府网|网站|委员会|局|厅|办公室|政府)$")
_SPLIT_RE = re.compile(r"\s*(?:[_|｜]|\s-\s|——|—|－)\s*")
_SPACE_RE = re.compile(r"\s+")


def valid_site_code(value: str | None) -> str | None:
    value = (value or "").strip()
    m = SITE_CODE_RE.fullmatch(value)
    return m.group(1).lower() if m and value[:2].lower() == "bm" else (m.group(1) if m else None)


def extract_site(page: Page) -> SiteInfo:
    """Name: SiteName meta, else the <title> part that names a site. Code: SiteIDCode meta, else
    a footer's 网站标识码, else the error-report entry's ``sitecode``."""
    try:
        tree = page.tree
        if tree is None:
            return SiteInfo(None, None)
        name = code = None
        for meta in META_XPATH(tree):
            key = (meta.get("name") or "").strip().lower()
            if key == "sitename" and not name:
                name = _SPACE_RE.sub(" ", meta.get("content") or "").strip() or None
            elif key == "siteidcode" and not code:
                code = valid_site_code(meta.get("content"))
        return SiteInfo(name or _name_from_title(tree), code or _code_from_text(tree))
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return SiteInfo(None, None)


def _name_from_title(tree) -> str | None:
    parts = [p for p in _SPLIT_RE.split(_SPACE_RE.sub(" ", TITLE_XPATH(tree)).strip()) if p]
    for part in reversed(parts):
        if _SITE_NAME_RE.search(part):
            return part
    return None


def _code_from_text(tree) -> str | None:
    for text in CODE_TEXT_XPATH(tree):
        m = LABELLED_CODE_RE.search(text)
        if m is None:  # <span>网站标识码：</span><span>1301000003</span>
            parent = text.getparent()
            following = "".join(parent.xpath("following::text()[position() <= 2]")) if parent is not None else ""
            m = LABELLED_CODE_RE.search(text + following)
        if m:
            return valid_site_code(m.group(1))
    for value in JIUCUO_XPATH(tree):
        code = valid_site_code(value)
        if code:
            return code
    return None
