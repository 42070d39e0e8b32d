"""The error-report entry in the footer scripts and iframes the spider fetched.

The homepage's own elements are detected once, by the spider, which needs them to decide whether to
fetch those footers or render the page; this pipeline reads what that decision fetched.
"""

from __future__ import annotations

import logging

from monitor.extract.errorlink import find_error_link, find_error_link_in_script
from monitor.extract.page import Page, decode_html
from monitor.items import PageItem

logger = logging.getLogger(__name__)


class ElementsPipeline:
    def process_item(self, item):
        if not isinstance(item, PageItem) or item.error is not None or item.kind != "asset" or not item.body:
            return item
        try:
            if b"<html" in item.body[:2048].lower() or b"<body" in item.body.lower():
                item.error_link = find_error_link(Page.from_bytes(item.body, item.where))
            else:
                text = decode_html(item.body, item.charset)[0]
                item.error_link = find_error_link_in_script(text, item.where)
        except Exception:
            logger.exception("element detection failed on %s", item.url)
        return item
