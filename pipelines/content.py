"""What the pages below the homepage show: personal data, harmful or injected content, message
boards, service guides.

- the homepage, articles and board pages: personal numbers (resident IDs, mobiles, bank cards;
  ``monitor.extract.privacy``); the homepage and articles: harmful terms, CSS-hidden link farms and
  spam links (``monitor.extract.harmful``);
- attachments (txt, csv, xls/xlsx, docx): personal numbers; their bytes are never stored;
- board pages: the messages of the list (``monitor.extract.boards``);
- guide pages: the guide's normalised text, for the cross-portal copy check at judging.

Personal numbers are never written to the store whole (the official rules treat a leak as a serious
error; the monitor must not repeat it): a page with any is stored with every number masked in
place (``redact``), and findings carry masked numbers only.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from monitor.config import MonitorSettings
from monitor.extract.boards import read_board
from monitor.extract.guides import guide_text
from monitor.extract.harmful import find_harmful
from monitor.extract.page import decode_html
from monitor.extract.privacy import find_personal_data, redact, scan_attachment
from monitor.items import PageItem

logger = logging.getLogger(__name__)

#: pages scanned for personal data (列表 pages only list titles; leaks sit in 公示 articles, boards)
PRIVACY_KINDS = ("homepage", "article", "board")
HARMFUL_KINDS = ("homepage", "article")
_LONG_NUMBER = re.compile(r"\d{11}")


class ContentPipeline:
    def __init__(self, settings: MonitorSettings):
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler):
        return cls(MonitorSettings.of(crawler))

    def process_item(self, item):
        if not isinstance(item, PageItem) or item.error is not None:
            return item
        try:
            self._read(item)
        except Exception:  # a detector bug must not lose the fetch record
            logger.exception("content detection failed on %s", item.url)
        return item

    def _read(self, item: PageItem) -> None:
        settings = self.settings
        if item.kind == "attachment":
            item.privacy = scan_attachment(item.body, item.url, item.url, None,
                                           settings.privacy_attachment_max_bytes)
            item.body = b""  # an attachment is evidence by its findings only, never kept whole
            return
        if any(_LONG_NUMBER.search(e.title) for e in item.entries):  # a title may carry one too
            item.entries = [replace(e, title=redact(e.title)) for e in item.entries]
        page = item.page
        if page is None:
            return
        if item.kind in PRIVACY_KINDS and not item.rendered:
            item.privacy = find_personal_data(page)
        if item.kind in HARMFUL_KINDS and not item.rendered:
            item.harmful = find_harmful(page, allow_hosts=settings.allow_hosts,
                                        hidden_min_links=settings.harmful_hidden_min_links)
        if item.kind == "board":
            item.board = read_board(page, settings.interaction_max_pages)
        elif item.kind == "guide":
            item.guide_text = guide_text(page) or None
        if item.privacy is not None and item.privacy.findings and item.body:
            text, _ = decode_html(item.body, item.charset)
            item.body = redact(text, page.now).encode("utf-8")
            item.charset = "utf-8"
