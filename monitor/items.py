"""Items the spiders yield and the pipelines enrich and store.

A page item carries the typed results of the extractors (``monitor.extract``); the per-portal
summary of a crawl is one ``PortalCrawl`` record (``monitor.crawlrecord``), attached to the
``PortalDoneItem`` that closes the portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from monitor.extract.article import Published
from monitor.extract.boards import BoardPage
from monitor.extract.column import ColumnInfo
from monitor.extract.errorlink import ErrorLink
from monitor.extract.harmful import HarmfulFinding
from monitor.extract.listing import Entry
from monitor.extract.page import Page
from monitor.extract.policy import PolicyColumn
from monitor.extract.privacy import PrivacyReport
from monitor.extract.site import SiteInfo
from monitor.ids import stable_id

if TYPE_CHECKING:  # the record module imports this one
    from monitor.crawlrecord import PortalCrawl


@dataclass
class PageItem:
    """One fetch of one URL of a portal: a page, a failure, or a redirect not followed."""

    crawl_id: str
    portal_id: str
    url: str
    #: homepage | column | asset | migrated | article | attachment | board | guide | linkcheck
    kind: str
    depth: int = 0
    final_url: str | None = None
    parent_url: str | None = None
    link_text: str | None = None
    status: int | None = None
    error: str | None = None
    latency_ms: float | None = None
    size: int = 0
    charset: str | None = None
    content_type: str | None = None
    fetched_at: str | None = None
    rendered: bool = False
    body: bytes = b""
    #: the decoded, parsed page (transient: shared by the pipelines, never stored as such)
    page: Page | None = None
    # what the extractors found (DatesPipeline, the spider's homepage check, ElementsPipeline)
    published: Published | None = None
    entries: list[Entry] = field(default_factory=list)
    column: ColumnInfo | None = None
    site: SiteInfo | None = None
    error_link: ErrorLink | None = None
    policy_column: PolicyColumn | None = None
    #: entries were read by the spider (it chooses the new ones' articles to fetch)
    entries_read: bool = False
    # what the content pipeline found (pages below the homepage)
    privacy: PrivacyReport | None = None
    harmful: list[HarmfulFinding] | None = None
    board: BoardPage | None = None
    #: the message board a board page belongs to (its first list page) and the link's text
    board_url: str | None = None
    guide_text: str | None = None

    @property
    def fetch_id(self) -> str:
        """The fetch's id: the same on every node for the same crawl, portal, kind and URL."""
        return stable_id(self.crawl_id, self.portal_id, self.kind, self.url, str(self.rendered))

    @property
    def where(self) -> str:
        """The URL the page was finally read from."""
        return self.final_url or self.url


@dataclass(frozen=True, slots=True)
class DiscoveredColumn:
    """A column link found on the homepage (or a column), and whether it was requested."""

    url: str
    text: str | None
    depth: int
    fetched: bool


@dataclass
class PortalDoneItem:
    """Every fetch of a portal in this crawl has completed: the portal's record can be saved."""

    crawl_id: str
    portal_id: str
    outcome: str  # fetched | failed | closed | migrated | incomplete
    homepage_url: str | None = None
    migrated_ok: bool | None = None
    columns: list[DiscoveredColumn] = field(default_factory=list)
    pages: int = 0
    #: attached by ``pipelines.portals.PortalCrawlPipeline``: what the crawl found on the portal
    record: PortalCrawl | None = None


@dataclass
class ReleaseItem:
    """A State Council release collected from www.gov.cn."""

    crawl_id: str
    url: str
    title: str
    published: str | None
    category: str | None = None
    source: str | None = None


@dataclass
class VisitItem:
    """One availability visit of a portal's homepage (the probe spider)."""

    round_id: str
    portal_id: str
    url: str
    at: str
    ok: bool
    status: int | None = None
    error: str | None = None
    latency_ms: float | None = None


@dataclass
class ProbeRoundItem:
    """Every visit of one probe round has completed: the store decides whether the round is valid."""

    round_id: str
    crawl_id: str
    portals: int
