"""Publication dates, list entries, the column and site facts of every crawled page."""

from __future__ import annotations

import logging

from monitor.extract.article import extract_published
from monitor.extract.column import extract_column
from monitor.extract.listing import extract_entries
from monitor.extract.site import extract_site
from monitor.items import PageItem

logger = logging.getLogger(__name__)


#: pages read below the lists for the findings beyond freshness: not lists. Their navigation and
#: related links would pick up the page's own date as entries (a sidebar link to 工作动态 "dated" by
#: each article it sits on), and the re-dating check would see every such link re-dated daily.
NOT_LISTS = frozenset({"article", "board", "guide", "attachment", "linkcheck"})


class DatesPipeline:
    def process_item(self, item):
        if not isinstance(item, PageItem) or item.page is None:
            return item
        page = item.page
        try:
            # the spider reads a list's entries itself (it picks new articles)
            if not item.entries_read and item.kind not in NOT_LISTS:
                item.entries = extract_entries(page)
            item.published = extract_published(page) if item.kind != "homepage" else None
            item.column = extract_column(page, item.entries) if item.kind == "column" else None
            item.site = extract_site(page) if item.kind == "homepage" else None
        except Exception:  # an extractor bug must not lose the fetch record
            logger.exception("date extraction failed on %s", item.url)
        return item
