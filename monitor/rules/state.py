"""What the rules judge: plain data the store fills for one portal and one crawl (no SQLite here).

Datetimes may be naive (read as Asia/Shanghai) or aware; dates are calendar days in Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from monitor.extract.errorlink import ErrorLink
from monitor.extract.policy import PolicyColumn
from monitor.rules.redating import Sighting

if TYPE_CHECKING:  # annotations only: the guide matcher pulls in numpy and datasketch
    from monitor.extract.boards import Message
    from monitor.extract.guides import GuidePair
    from monitor.extract.harmful import HarmfulFinding
    from monitor.extract.privacy import PrivacyFinding


@dataclass(slots=True)
class Visit:
    """One visit of the homepage (a probe, or a portal crawl's homepage fetch); ``ok`` is False
    when it had not loaded after 15 s or answered with an error."""

    at: datetime
    ok: bool
    error: str | None = None  # error class: dns, refused, timeout, tls, http_5xx, robots, ...
    latency_ms: float | None = None
    valid_round: bool = True  # False when most portals failed at once (our own network was down)
    source: str = "probe"  # probe | crawl


@dataclass(slots=True)
class ColumnState:
    """One column (second-level page) as seen in a crawl."""

    url: str
    name: str = ""
    type: str | None = None  # news, notice, policy, personnel, ... (None: not classified)
    max_age_days: int | None = None  # update limit; None: the type's default or no limit
    newest: date | datetime | None = None  # newest dated item
    blank: bool = False  # fetched, and carries no item at all
    fetched: bool = True  # False: discovered but not fetched this time (unknown, not stale)
    entries: int = 0


@dataclass(slots=True)
class BoardState:
    """One message board of the portal as read in a crawl (its list pages, bounded)."""

    url: str
    name: str = ""
    messages: list[Message] = field(default_factory=list)
    pages: int = 0  # list pages read
    external: bool = False  # hosted on another host (a shared provincial platform)
    error: str | None = None  # the board could not be read (fetch error class)


@dataclass(slots=True)
class LinkCheck:
    """One homepage or first-level link checked in a crawl: its HTTP status or error class."""

    url: str
    status: int | None = None
    error: str | None = None  # dns, timeout, refused, tls, ...
    text: str = ""  # the link's text
    source: str = ""  # the page the link was found on


@dataclass(slots=True)
class PortalState:
    """Everything known about one portal at one crawl, plus its recent probe visits."""

    portal_id: str
    name: str = ""
    region: str = ""
    status: str = "active"  # active, closed, migrated
    registry_site_code: str | None = None
    crawl_id: str | None = None
    crawled_at: datetime | None = None
    homepage_ok: bool | None = None  # None: no crawl
    homepage_error: str | None = None  # dns/refused/timeout/tls/reset/too_large/blocked/http_5xx/...
    homepage_url: str | None = None
    homepage_newest: date | datetime | None = None
    homepage_dated_items: int = 0
    navigation_only: bool = False
    columns: list[ColumnState] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    error_link: ErrorLink | None = None  # None: not checked
    policy_column: PolicyColumn | None = None  # None: not checked
    reposts: dict | None = None  # {window_days, releases, reposted, within_24h, median_lag_hours}
    migrated_ok: bool | None = None  # the old home redirects/points to the registered new home
    # issue 12; None everywhere means "not checked" (an older crawl), and judges unknown
    boards: list[BoardState] | None = None  # message boards read ([]: looked, none found)
    privacy: list[PrivacyFinding] | None = None  # masked personal numbers found in pages/attachments
    harmful: list[HarmfulFinding] | None = None  # harmful terms, hidden link blocks, spam links
    sightings: dict[str, list[Sighting]] | None = None  # list URL (homepage, columns) -> entries
    crawl_days: list[date] | None = None  # days the portal was crawled (for sightings)
    guide_pairs: list[GuidePair] | None = None  # copied service guides (precomputed, all portals)
    link_checks: list[LinkCheck] | None = None  # homepage / first-level link checks
