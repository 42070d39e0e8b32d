"""The homepage's State Council policy column and error-report entry (issue 4).

The spider already judged a homepage when it decided whether to fetch footer scripts or render; this
pipeline fills what is missing and reads the footer scripts/iframes it fetched.
"""

from __future__ import annotations

import logging

from monitor.extract.errorlink import find_error_link, find_error_link_in_script
from monitor.extract.page import Page, decode_html
from monitor.extract.policy import find_policy_column
from monitor.items import PageItem

logger = logging.getLogger(__name__)


class ElementsPipeline:
    def process_item(self, item):
        if not isinstance(item, PageItem) or item.error is not None:
            return item
        try:
            if item.kind == "homepage" and item.page is not None:
                if item.error_link is None:
                    item.error_link = find_error_link(item.page)
                if item.policy_column is None:
                    item.policy_column = find_policy_column(item.page)
            elif item.kind == "asset" and item.body:
                if b"<html" in item.body[:2048].lower() or b"<body" in item.body.lower():
                    item.error_link = find_error_link(Page.from_bytes(item.body, item.final_url or item.url))
                else:
                    text = decode_html(item.body, item.charset)[0]
                    item.error_link = find_error_link_in_script(text, item.final_url or item.url)
        except Exception:
            logger.exception("element detection failed on %s", item.url)
        return item
