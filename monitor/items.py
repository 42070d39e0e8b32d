"""Items the spiders yield and the pipelines enrich and store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """One fetch of one URL of a portal: a page, a failure, or a redirect not followed."""

    crawl_id: str
    portal_id: str
    url: str
    kind: str  # homepage | column | asset | migrated | release | release_list
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
    # transient, shared by the pipelines (never stored as such)
    page: Any = None
    # filled by the pipelines
    published: Any = None
    entries: list = field(default_factory=list)
    column: Any = None
    site: Any = None
    error_link: dict | None = None
    policy_column: dict | None = None


@dataclass
class PortalDoneItem:
    """Every fetch of a portal in this crawl has completed: the pipelines judge the portal as a whole."""

    crawl_id: str
    portal_id: str
    outcome: str  # fetched | failed | closed | migrated
    homepage_url: str | None = None
    migrated_ok: bool | None = None
    columns: list[dict] = field(default_factory=list)  # {url, text, depth, fetched}
    pages: int = 0


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
