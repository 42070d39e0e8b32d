"""Which pages below the homepage a crawl reads for the findings beyond freshness (pure).

- ``new_articles``: the article pages of list entries not seen before, newest first (leaks sit in
  公示 articles; a portal's first crawl takes the newest few as a sample);
- ``guide_links``: links to service guides (办事指南), for the copied-guide check;
- ``check_links``: the homepage's links whose liveness is checked (链接可用性), on the portal's host
  or not (an off-host link is asked for its status only, never crawled).

Message boards are found by ``monitor.extract.boards.find_boards``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urldefrag, urlsplit

from monitor.clock import SHANGHAI
from monitor.extract.dates import as_datetime
from monitor.extract.links import FILE_RE
from monitor.extract.listing import Entry
from monitor.extract.page import Page
from monitor.registry import same_host

GUIDE_TEXT_RE = re.compile(r"办事指南|服务指南|办理指南|事项指南")
_OLDEST = datetime(1900, 1, 1, tzinfo=SHANGHAI)


@dataclass(frozen=True, slots=True)
class FollowLink:
    url: str
    text: str


def new_articles(entries: list[Entry], host: str, known: set[str], limit: int) -> list[Entry]:
    """Entries on the portal's host whose URL is not ``known``, newest first (undated last)."""
    if limit <= 0:
        return []
    fresh = [e for e in entries if e.url and e.url.startswith(("http://", "https://"))
             and same_host(e.url, host) and e.url not in known
             and not FILE_RE.search(urlsplit(e.url).path)]
    fresh.sort(key=lambda e: _sort_key(e.published), reverse=True)
    out, seen = [], set()
    for entry in fresh:
        if entry.url not in seen:
            seen.add(entry.url)
            out.append(entry)
        if len(out) >= limit:
            break
    return out


def _sort_key(value: date | datetime | None) -> datetime:
    return as_datetime(value) if value is not None else _OLDEST


def guide_links(page: Page, host: str, limit: int) -> list[FollowLink]:
    """Links on ``page`` to service guides on the portal's host, in page order."""
    return _links(page, limit, lambda url, text: same_host(url, host) and bool(GUIDE_TEXT_RE.search(text)))


def check_links(page: Page, limit: int, skip: set[str]) -> list[FollowLink]:
    """The page's http(s) links to check for liveness, in page order, without ``skip`` (pages the
    crawl fetches anyway) and without files."""
    return _links(page, limit, lambda url, text: url not in skip and not FILE_RE.search(urlsplit(url).path))


def _links(page: Page, limit: int, wanted) -> list[FollowLink]:
    tree = page.tree
    if tree is None or limit <= 0:
        return []
    out: dict[str, FollowLink] = {}
    for anchor in tree.iter("a"):
        href = page.absolute(anchor.get("href"))
        if not href or not href.startswith(("http://", "https://")):
            continue
        url = urldefrag(href)[0]
        text = " ".join(anchor.text_content().split())[:40] or (anchor.get("title") or "").strip()[:40]
        if url in out or not wanted(url, text):
            continue
        out[url] = FollowLink(url, text)
        if len(out) >= limit:
            break
    return list(out.values())
