"""What one crawl found on one portal: the ``PortalCrawl`` record, built here and nowhere else.

Each enriched page of the portal is folded in with ``add_page`` (homepage facts, columns, elements
found in footer scripts or after rendering); ``finish`` closes it with what the spider knows (the
outcome, the columns discovered but not fetched). The snapshots pipeline only saves it
(``monitor.store.crawls.save_portal_crawl``), and the rules read it back as a ``PortalState``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from monitor.clock import iso
from monitor.extract.errorlink import ErrorLink
from monitor.extract.policy import PolicyColumn
from monitor.extract.site import SiteInfo
from monitor.extract.harmful import HarmfulFinding
from monitor.extract.privacy import PrivacyFinding
from monitor.items import DiscoveredColumn, PageItem, PortalDoneItem
from monitor.registry import same_host
from monitor.rules.state import BoardState, LinkCheck


@dataclass(slots=True)
class HomepageFacts:
    """The homepage fetch: status or error, where it ended, and its dated items."""

    status: int | None = None
    error: str | None = None
    url: str | None = None
    newest: str | None = None  # ISO date or date-time of the newest dated item
    dated: int = 0  # items carrying a date
    entries: int = 0  # items, dated or not


@dataclass(slots=True)
class ColumnFacts:
    """A fetched column (second-level list page)."""

    url: str
    name: str | None = None
    type: str | None = None
    max_age_days: int | None = None
    newest: str | None = None
    blank: bool = False
    entries: int = 0
    fetch_id: str | None = None
    failed: bool = False


@dataclass
class PortalCrawl:
    """One portal in one crawl: everything the spider and the pipelines found."""

    crawl_id: str
    portal_id: str
    outcome: str = "incomplete"  # fetched | failed | closed | migrated | incomplete
    homepage_url: str | None = None
    homepage: HomepageFacts | None = None
    site: SiteInfo | None = None
    error_link: ErrorLink | None = None
    policy_column: PolicyColumn | None = None
    columns: dict[str, ColumnFacts] = field(default_factory=dict)
    discovered: dict[str, DiscoveredColumn] = field(default_factory=dict)
    rendered: bool = False
    migrated_ok: bool | None = None
    pages: int = 0
    # what the pages below the homepage showed (None: not looked at in this crawl)
    boards: dict[str, BoardState] | None = None
    privacy: list[PrivacyFinding] | None = None
    harmful: list[HarmfulFinding] | None = None
    link_checks: list[LinkCheck] | None = None
    guides: list[tuple[str, str]] = field(default_factory=list)  # (URL, normalised text)

    # ------------------------------------------------------------------ folding pages in
    def add_page(self, item: PageItem) -> None:
        self._content(item)
        if item.kind == "homepage":
            self._homepage(item)
        elif item.kind == "column":
            newest, _ = newest_date(item.entries)
            col = item.column
            self.columns[item.url] = ColumnFacts(
                url=item.url, name=(col.name if col else None) or item.link_text,
                type=col.type if col else None, max_age_days=col.max_age_days if col else None,
                newest=newest, blank=bool(col.blank) if col else False, entries=len(item.entries),
                fetch_id=item.fetch_id, failed=item.error is not None)
        elif item.kind == "asset":
            if item.error_link is not None and item.error_link.found and not self._found(self.error_link):
                self.error_link = replace(item.error_link, via=item.where)
        elif item.kind == "migrated":
            self.homepage = HomepageFacts(status=item.status, error=item.error, url=item.final_url)

    def _homepage(self, item: PageItem) -> None:
        if item.rendered:
            self.rendered = True
        if item.rendered and self.homepage is not None:  # a rendered retry adds elements only
            if item.error_link is not None and item.error_link.found and not self._found(self.error_link):
                self.error_link = replace(item.error_link, rendered=True)
            if (item.policy_column is not None and item.policy_column.found
                    and not self._found(self.policy_column)):
                self.policy_column = replace(item.policy_column, rendered=True)
            return
        newest, dated = newest_date(item.entries)
        self.homepage = HomepageFacts(status=item.status, error=item.error, url=item.final_url,
                                      newest=newest, dated=dated, entries=len(item.entries))
        if item.site is not None:
            self.site = item.site
        if item.error_link is not None and not self._found(self.error_link):
            self.error_link = item.error_link
        if item.policy_column is not None and not self._found(self.policy_column):
            self.policy_column = item.policy_column

    def _content(self, item: PageItem) -> None:
        """Findings of any page: personal data, harmful content, boards, guides, link checks."""
        if item.privacy is not None:
            self.privacy = (self.privacy or []) + [f for f in item.privacy.findings]
        if item.harmful is not None:
            self.harmful = (self.harmful or []) + list(item.harmful)
        if item.kind == "homepage" and not item.rendered and item.error is None:
            self.boards = self.boards if self.boards is not None else {}
        if item.kind == "board" and item.board_url:
            boards = self.boards if self.boards is not None else {}
            self.boards = boards
            board = boards.get(item.board_url)
            if board is None:
                board = boards[item.board_url] = BoardState(
                    url=item.board_url, name=item.link_text or "",
                    external=not same_host(item.board_url, item.parent_url or item.board_url))
            if item.error is not None and not board.pages:
                board.error = item.error
            elif item.board is not None:
                board.pages += 1
                seen = {(m.url, m.title) for m in board.messages}
                board.messages.extend(m for m in item.board.messages if (m.url, m.title) not in seen)
        if item.kind == "guide" and item.guide_text:
            self.guides.append((item.where, item.guide_text))
        if item.kind == "linkcheck":
            self.link_checks = (self.link_checks or []) + [LinkCheck(
                url=item.url, status=item.status, error=item.error, text=item.link_text or "",
                source=item.parent_url or "")]

    @staticmethod
    def _found(element) -> bool:
        return element is not None and element.found

    # ------------------------------------------------------------------ closing
    def finish(self, done: PortalDoneItem) -> "PortalCrawl":
        self.outcome = done.outcome
        self.homepage_url = (self.homepage.url if self.homepage and self.homepage.url else None) \
            or done.homepage_url
        self.migrated_ok = done.migrated_ok
        self.pages = done.pages
        for column in done.columns:
            self.discovered.setdefault(column.url, column)
        return self

    # ------------------------------------------------------------------ reading
    @property
    def navigation_only(self) -> bool:
        """No list items at all on the homepage, only links to columns: the official rule judges
        such a homepage by its second-level pages."""
        return (self.outcome == "fetched" and not (self.homepage and self.homepage.entries)
                and bool(self.discovered))

    @property
    def site_code_found(self) -> str | None:
        return ((self.error_link.site_code if self.error_link else None)
                or (self.site.site_code if self.site else None))

    @property
    def columns_fetched(self) -> int:
        return sum(1 for c in self.columns.values() if not c.failed)

    def column_urls(self) -> list[str]:
        return sorted(set(self.discovered) | set(self.columns))


def newest_date(entries) -> tuple[str | None, int]:
    """The newest publication date among entries (ISO text) and how many carry a date."""
    dates = [iso(e.published) for e in entries or () if e.published]
    return (max(dates) if dates else None), len(dates)
