"""Everything the extractors see in one page, as the JSON object ``monitor inspect`` prints."""

from __future__ import annotations

from monitor.extract.article import extract_published
from monitor.extract.column import extract_column
from monitor.extract.dates import iso
from monitor.extract.listing import extract_entries
from monitor.extract.page import Page
from monitor.extract.site import extract_site

_NO_POLICY = {"found": False, "title": None, "url": None, "items": 0, "position": None}
_NO_ERROR_LINK = {"found": False, "site_code": None, "url": None, "variant": None}


def inspect_page(page: Page) -> dict:
    """``{"published", "entries", "column", "site", "policy_column", "error_link", "privacy"}``,
    dates as ISO strings (``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS+08:00`` when a time is known)."""
    entries = extract_entries(page)
    column = extract_column(page, entries)
    site = extract_site(page)
    return {
        "published": iso(extract_published(page)),
        "entries": [{"title": e.title, "url": e.url, "published": iso(e.published)}
                    for e in entries],
        "column": {"name": column.name, "type": column.type, "blank": column.blank},
        "site": {"name": site.name, "site_code": site.site_code},
        "policy_column": _policy_column(page),
        "error_link": _error_link(page),
        "privacy": [],
    }


def _policy_column(page: Page) -> dict:
    try:  # written under another issue; absent until it lands
        from monitor.extract.policy import find_policy_column
    except ImportError:
        return dict(_NO_POLICY)
    return find_policy_column(page)


def _error_link(page: Page) -> dict:
    try:  # written under another issue; absent until it lands
        from monitor.extract.errorlink import find_error_link
    except ImportError:
        return dict(_NO_ERROR_LINK)
    return find_error_link(page)
