"""Everything the extractors see in one page, as the JSON object ``monitor inspect`` prints."""

from __future__ import annotations

from monitor.extract.article import extract_published
from monitor.extract.column import extract_column
from monitor.extract.errorlink import find_error_link
from monitor.extract.listing import extract_entries
from monitor.extract.page import Page
from monitor.extract.policy import find_policy_column
from monitor.extract.site import extract_site


def inspect_page(page: Page) -> dict:
    """``{"published", "document_date", "entries", "column", "site", "policy_column",
    "error_link", "privacy"}``, dates as ISO strings (``YYYY-MM-DD``, or
    ``YYYY-MM-DDTHH:MM:SS+08:00`` when a time is known)."""
    entries = extract_entries(page)
    column = extract_column(page, entries)
    site = extract_site(page)
    return {
        **extract_published(page).to_json(),
        "entries": [e.to_json() for e in entries],
        "column": column.to_json(),
        "site": site.to_json(),
        "policy_column": find_policy_column(page).to_json(),
        "error_link": find_error_link(page).to_json(),
        "privacy": [],
    }
