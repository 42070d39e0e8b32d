"""What the rules judge: plain data the store fills for one portal and one crawl (no SQLite here).

Datetimes may be naive (read as Asia/Shanghai) or aware; dates are calendar days in Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from monitor.extract.errorlink import ErrorLink
from monitor.extract.policy import PolicyColumn


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
