"""Everything the extractors see in one page, as the JSON object ``monitor inspect`` prints."""

from __future__ import annotations

from monitor.extract.article import extract_published
from monitor.extract.boards import find_boards, read_board
from monitor.extract.column import extract_column
from monitor.extract.errorlink import find_error_link
from monitor.extract.harmful import find_harmful
from monitor.extract.listing import extract_entries
from monitor.extract.page import Page
from monitor.extract.policy import find_policy_column
from monitor.extract.privacy import find_personal_data
from monitor.extract.site import extract_site


def inspect_page(page: Page) -> dict:
    """``{"published", "document_date", "entries", "column", "site", "policy_column",
    "error_link", "privacy", "privacy_counts", "boards", "messages", "harmful"}``, dates as ISO
    strings (``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS+08:00`` when a time is known).

    ``privacy`` lists the personal numbers found, masked (``410105********1234``), and
    ``privacy_counts`` the distinct numbers per kind; ``boards`` the links to message boards;
    ``messages`` what the page shows as a board list (messages, next pages, layout); ``harmful``
    the harmful terms, hidden link blocks and spam links with their snippets and places."""
    entries = extract_entries(page)
    column = extract_column(page, entries)
    site = extract_site(page)
    privacy = find_personal_data(page)
    return {
        **extract_published(page).to_json(),
        "entries": [e.to_json() for e in entries],
        "column": column.to_json(),
        "site": site.to_json(),
        "policy_column": find_policy_column(page).to_json(),
        "error_link": find_error_link(page).to_json(),
        "privacy": [f.to_json() for f in privacy.findings],
        "privacy_counts": dict(privacy.counts),
        "boards": [b.to_json() for b in find_boards(page)],
        "messages": read_board(page).to_json(),
        "harmful": [f.to_json() for f in find_harmful(page)],
    }
