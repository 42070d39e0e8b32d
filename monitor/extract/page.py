"""One fetched page, decoded once and parsed once, shared by every extractor.

Decoding follows the crawler exactly: w3lib's ``html_to_unicode`` is what Scrapy's ``TextResponse``
uses (BOM first, then the HTTP charset, then ``<meta charset>``, then detection), and it maps
gb2312/gbk to gb18030, so the CLI, the pipelines and the tests read the same text from the same bytes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from monitor.clock import SHANGHAI


_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
#: pages larger than this are cut before parsing (a 20 MB page must not stall a crawl)
MAX_PARSE_CHARS = 4_000_000


def decode_html(body: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for raw page bytes, as the crawler would decode them."""
    if not body:
        return "", (http_charset or "utf-8")
    if not http_charset and not body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        # fast path for the common case, same answer as below: no BOM, no header, a page that
        # declares UTF-8 (or nothing) and decodes as UTF-8
        declared = _META_CHARSET_RE.search(body, 0, 4096)
        if declared is None or declared.group(1).lower() in (b"utf-8", b"utf8"):
            try:
                return body.decode("utf-8").replace("\x00", ""), "utf-8"
            except UnicodeDecodeError:
                pass
    content_type = f"text/html; charset={http_charset}" if http_charset else None
    try:
        encoding, text = html_to_unicode(
            content_type,
            body,
            auto_detect_fun=lambda b: "gb18030" if _looks_gbk(b) else None,
        )
    except LookupError:  # an unknown charset name in the page or header
        encoding, text = "utf-8", body.decode("utf-8", errors="replace")
    return text.replace("\x00", ""), encoding


def _looks_gbk(body: bytes) -> bool:
    """Undeclared pages: UTF-8 if it decodes, otherwise GB18030 (a superset of GBK/GB2312)."""
    sample = body[:65536]
    try:
        sample.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        # a UTF-8 sequence cut at the sample's end is still UTF-8
        return exc.start < len(sample) - 4


_PARSERS = threading.local()


def _parser() -> lxml.html.HTMLParser:
    """An HTML parser whose element classes are chosen in C: lxml.html's default lookup calls back
    into Python for every element touched (to give forms their own classes, which no extractor
    uses), a tenth of extraction time on a typical page. One per thread (lxml parsers are not
    thread-safe), reused."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = lxml.html.HTMLParser(encoding=None, remove_blank_text=False,
                                                        huge_tree=True)
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser


@dataclass
class Page:
    """A page as extractors see it. ``url`` may be empty (``monitor inspect`` without ``--url``)."""

    html: str
    url: str = ""
    now: datetime = field(default_factory=lambda: datetime.now(SHANGHAI))
    encoding: str = "utf-8"

    @classmethod
    def from_bytes(cls, body: bytes, url: str = "", now: datetime | None = None,
                   http_charset: str | None = None) -> "Page":
        text, encoding = decode_html(body, http_charset)
        return cls(html=text, url=url, now=now or datetime.now(SHANGHAI), encoding=encoding)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=SHANGHAI)

    @cached_property
    def tree(self) -> lxml.html.HtmlElement | None:
        """The parsed document, or None when there is nothing parseable. Comments stay as
        comment nodes, so XPath over elements never sees commented-out markup."""
        text = self.html[:MAX_PARSE_CHARS]
        if not text.strip():
            return None
        try:
            tree = lxml.html.document_fromstring(text, parser=_parser())
        except (etree.ParserError, ValueError):
            try:  # e.g. an XML declaration inside a str
                tree = lxml.html.document_fromstring(text.encode("utf-8"),
                                                     parser=lxml.html.HTMLParser(encoding="utf-8"))
            except (etree.ParserError, ValueError):
                return None
        # Links stay as written: resolving every link up front halves extraction speed on small
        # pages, and most extractors never need it. Use ``absolute()`` on the links you keep.
        return tree

    @cached_property
    def base_url(self) -> str:
        """The URL relative links resolve against: ``<base href>`` if the page has one."""
        tree = self.tree
        if tree is not None and self.url:
            for href in tree.xpath("//base/@href")[:1]:
                try:
                    return urljoin(self.url, href.strip())
                except ValueError:
                    break
        return self.url

    def absolute(self, href: str | None) -> str | None:
        """``href`` resolved against the page (None for empty or unparseable links)."""
        href = (href or "").strip()
        if not href:
            return None
        if not self.base_url:
            return href
        try:
            return urljoin(self.base_url, href)
        except ValueError:
            return None
